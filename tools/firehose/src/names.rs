//! Resource names: the firehose serves any well-formed one.

use tonic::Status;

/// `projects/{project}/{collection}/{id}` -> (project, id), or
/// INVALID_ARGUMENT naming the field, the value and the expected form.
pub fn parse<'a>(
    field: &str,
    name: &'a str,
    collection: &str,
) -> Result<(&'a str, &'a str), Status> {
    let mut parts = name.split('/');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("projects"), Some(project), Some(c), Some(id), None)
            if c == collection && !project.is_empty() && !id.is_empty() =>
        {
            Ok((project, id))
        }
        _ => Err(Status::invalid_argument(format!(
            "invalid {field} {name:?}: expected projects/{{project}}/{collection}/{{id}}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_well_formed_name() {
        assert_eq!(
            parse(
                "subscription",
                "projects/p/subscriptions/s1",
                "subscriptions"
            )
            .ok(),
            Some(("p", "s1"))
        );
    }

    #[test]
    fn rejects_other_shapes_with_a_message_naming_the_field() {
        for bad in [
            "",
            "s1",
            "projects/p/topics/t",
            "projects//subscriptions/s",
            "projects/p/subscriptions/s/x",
        ] {
            let err = parse("subscription", bad, "subscriptions").unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument);
            assert!(
                err.message().starts_with("invalid subscription"),
                "{}",
                err.message()
            );
        }
    }
}
