//! "Did you mean": the closest known name to a misspelt one.

/// The candidate closest to `unknown`, if it is close enough to be a typo
/// (at most a third of its letters off, and at least one).
pub(crate) fn closest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let tolerance = (unknown.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| (strsim::levenshtein(unknown, candidate), *candidate))
        .filter(|(distance, _)| *distance <= tolerance)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// " did you mean `role`?" or nothing.
pub(crate) fn did_you_mean(unknown: &str, candidates: &[&str]) -> String {
    closest(unknown, candidates)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_the_key_it_was_meant_to_be() {
        let keys = ["role", "restart", "restart_limit", "ready_timeout"];
        assert_eq!(closest("rol", &keys), Some("role"));
        assert_eq!(closest("restart_limt", &keys), Some("restart_limit"));
        assert_eq!(closest("restrat", &keys), Some("restart"));
    }

    #[test]
    fn a_word_far_from_every_key_finds_nothing() {
        assert_eq!(closest("colour", &["role", "restart"]), None);
        assert_eq!(did_you_mean("colour", &["role"]), "");
    }
}
