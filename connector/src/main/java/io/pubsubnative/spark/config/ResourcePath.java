package io.pubsubnative.spark.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a resource option ({@code subscriptionId} or {@code topicId}: a full
 * {@code projects/P/subscriptions/S} or {@code projects/P/topics/T} path, or a short name plus
 * {@code projectId}) into a validated full path.
 *
 * <p>Rules (Google Cloud): a project id is 1 to 30 lower-case letters, digits and hyphens, starts
 * with a letter and does not end with a hyphen (an optional {@code domain.com:} prefix is allowed);
 * a subscription or topic id is 3 to 255 characters (the emulator enforces this too) of letters,
 * digits and {@code - _ . ~ + %}, starts with a letter and does not start with {@code goog}.
 */
enum ResourcePath {
    SUBSCRIPTION("subscriptionId", "subscriptions", "subscription"),
    TOPIC("topicId", "topics", "topic");

    private static final String PROJECT_RULE =
            "lower-case letters, digits and hyphens, starting with a letter, not ending with a "
                    + "hyphen, at most 30 characters";
    private static final String ID_RULE =
            "3 to 255 letters, digits or '-_.~+%', starting with a letter and not with 'goog'";

    private static final Pattern PROJECT =
            Pattern.compile("([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z]([a-z0-9-]{0,28}[a-z0-9])?");
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9\\-_.~+%]{2,254}");

    private final String option;
    private final String collection;
    private final String noun;
    private final Pattern full;

    ResourcePath(String option, String collection, String noun) {
        this.option = option;
        this.collection = collection;
        this.noun = noun;
        this.full = Pattern.compile("projects/([^/]+)/" + collection + "/([^/]+)");
    }

    /** The option that names the resource, e.g. {@code topicId}. */
    String option() {
        return option;
    }

    /** What the resource is called in messages, e.g. {@code topic}. */
    String noun() {
        return noun;
    }

    /** The template of a full path, e.g. {@code projects/<project>/topics/<topic>}. */
    String template() {
        return "projects/<project>/" + collection + "/<" + noun + ">";
    }

    /** Resolves {@code id} (never null) with the optional {@code projectId}. */
    String resolve(String id, String projectId) {
        if (projectId != null) {
            checkProject(OptionCatalog.PROJECT_ID, projectId, projectId);
        }
        if (id.contains("/")) {
            Matcher m = full.matcher(id);
            if (!m.matches()) {
                throw new IllegalArgumentException(String.format(
                        "Option '%s' must be '%s' or a %s name, got '%s'", option, template(), noun, id));
            }
            String project = m.group(1);
            checkProject(option, id, project);
            checkId(id, m.group(2));
            if (projectId != null && !projectId.equals(project)) {
                throw new IllegalArgumentException(String.format(
                        "Option 'projectId' ('%s') does not match the project of option "
                                + "'%s' ('%s'); drop 'projectId' or make them agree",
                        projectId, option, id));
            }
            return id;
        }
        if (projectId == null) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' is a short name ('%s') but option 'projectId' is not set; "
                            + "set 'projectId' or use 'projects/<project>/%s/%s'",
                    option, id, collection, id));
        }
        checkId(id, id);
        return "projects/" + projectId + "/" + collection + "/" + id;
    }

    private void checkProject(String optionName, String value, String project) {
        if (!PROJECT.matcher(project).matches()) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' has an invalid project id '%s' in '%s'; a project id is %s",
                    optionName, project, value, PROJECT_RULE));
        }
    }

    private void checkId(String value, String resourceId) {
        if (!ID.matcher(resourceId).matches() || resourceId.startsWith("goog")) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' has an invalid %s id '%s' in '%s'; a %s id is %s",
                    option, noun, resourceId, value, noun, ID_RULE));
        }
    }
}
