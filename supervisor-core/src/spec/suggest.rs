//! "Did you mean": the closest known name to a misspelt one.

/// The candidate closest to `unknown`, if close enough to be a typo: at
/// most a third of its letters off (and at least one).
pub(crate) fn closest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let tolerance = (unknown.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| (strsim::levenshtein(unknown, candidate), *candidate))
        .filter(|&(distance, _)| distance <= tolerance)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// `"; did you mean `name`?"`, or nothing when no candidate is close.
pub(crate) fn did_you_mean(unknown: &str, candidates: &[&str]) -> String {
    closest(unknown, candidates)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

#[cfg(any(feature = "json", feature = "toml"))]
/// The hint for serde's "unknown field `x`, expected one of `a`, `b`" and
/// "unknown variant ..." messages, or nothing for any other message.
pub(crate) fn for_serde_message(message: &str) -> String {
    let Some(start) = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|lead| message.find(lead).map(|at| at + lead.len()))
    else {
        return String::new();
    };
    let rest = &message[start..];
    let Some((unknown, expected)) = rest.split_once('`') else {
        return String::new();
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(unknown, &candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_closest_name_and_a_stranger_gets_none() {
        assert_eq!(closest("restrat", &["restart", "role"]), Some("restart"));
        assert_eq!(closest("zzz", &["restart", "role"]), None);
    }

    #[test]
    #[cfg(any(feature = "json", feature = "toml"))]
    fn serde_messages_give_their_candidates() {
        let message = "unknown field `shutdwon`, expected one of `restart`, `shutdown`";
        assert_eq!(for_serde_message(message), "; did you mean `shutdown`?");
        let message = "unknown variant `one_for_al`, expected `one_for_one` or `one_for_all`";
        assert_eq!(for_serde_message(message), "; did you mean `one_for_all`?");
        assert_eq!(for_serde_message("invalid type: integer"), "");
    }
}
