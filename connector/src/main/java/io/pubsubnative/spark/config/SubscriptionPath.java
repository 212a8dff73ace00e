package io.pubsubnative.spark.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the {@code subscriptionId} option (a full {@code projects/P/subscriptions/S} path, or a
 * short name plus {@code projectId}) into a validated full path.
 *
 * <p>Rules (Google Cloud): a project id is 1 to 30 lower-case letters, digits and hyphens, starts
 * with a letter and does not end with a hyphen (an optional {@code domain.com:} prefix is allowed);
 * a subscription id is 3 to 255 characters (the emulator enforces this too) of letters, digits and
 * {@code - _ . ~ + %}, starts with
 * a letter and does not start with {@code goog}.
 */
final class SubscriptionPath {

    private static final String PROJECT_RULE =
            "lower-case letters, digits and hyphens, starting with a letter, not ending with a "
                    + "hyphen, at most 30 characters";
    private static final String SUBSCRIPTION_RULE =
            "3 to 255 letters, digits or '-_.~+%', starting with a letter and not with 'goog'";

    private static final Pattern PROJECT =
            Pattern.compile("([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z]([a-z0-9-]{0,28}[a-z0-9])?");
    private static final Pattern SUBSCRIPTION = Pattern.compile("[A-Za-z][A-Za-z0-9\\-_.~+%]{2,254}");
    private static final Pattern FULL = Pattern.compile("projects/([^/]+)/subscriptions/([^/]+)");

    private SubscriptionPath() {
    }

    static String resolve(String subscriptionId, String projectId) {
        if (subscriptionId == null) {
            throw new IllegalArgumentException(
                    "Option 'subscriptionId' is required: set it to 'projects/<project>/subscriptions/"
                            + "<subscription>', or to a subscription name together with 'projectId'");
        }
        if (projectId != null) {
            checkProject("projectId", projectId, projectId);
        }
        if (subscriptionId.contains("/")) {
            Matcher m = FULL.matcher(subscriptionId);
            if (!m.matches()) {
                throw new IllegalArgumentException(String.format(
                        "Option 'subscriptionId' must be 'projects/<project>/subscriptions/<subscription>' "
                                + "or a subscription name, got '%s'", subscriptionId));
            }
            String project = m.group(1);
            checkProject("subscriptionId", subscriptionId, project);
            checkSubscription(subscriptionId, m.group(2));
            if (projectId != null && !projectId.equals(project)) {
                throw new IllegalArgumentException(String.format(
                        "Option 'projectId' ('%s') does not match the project of option "
                                + "'subscriptionId' ('%s'); drop 'projectId' or make them agree",
                        projectId, subscriptionId));
            }
            return subscriptionId;
        }
        if (projectId == null) {
            throw new IllegalArgumentException(String.format(
                    "Option 'subscriptionId' is a short name ('%s') but option 'projectId' is not set; "
                            + "set 'projectId' or use 'projects/<project>/subscriptions/%s'",
                    subscriptionId, subscriptionId));
        }
        checkSubscription(subscriptionId, subscriptionId);
        return "projects/" + projectId + "/subscriptions/" + subscriptionId;
    }

    private static void checkProject(String option, String value, String project) {
        if (!PROJECT.matcher(project).matches()) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' has an invalid project id '%s' in '%s'; a project id is %s",
                    option, project, value, PROJECT_RULE));
        }
    }

    private static void checkSubscription(String value, String subscription) {
        if (!SUBSCRIPTION.matcher(subscription).matches() || subscription.startsWith("goog")) {
            throw new IllegalArgumentException(String.format(
                    "Option 'subscriptionId' has an invalid subscription id '%s' in '%s'; "
                            + "a subscription id is %s",
                    subscription, value, SUBSCRIPTION_RULE));
        }
    }
}
