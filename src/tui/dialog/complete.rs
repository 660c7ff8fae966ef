//! Tab in a server form's Host field completes the Host aliases of the admin's ssh config
//! (DESIGN.md §16), cycling through the matches as a shell does; with nothing to complete,
//! Tab keeps its meaning (the next field).

/// The matches of what was typed before Tab was first pressed, and which one is shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    /// What was typed when the cycle began: every later Tab completes it, not the match.
    stem: String,
    at: usize,
}

impl Completion {
    /// What was typed when the cycle began.
    pub fn stem(&self) -> &str {
        &self.stem
    }

    /// Which of the matches is in the field.
    pub fn at(&self) -> usize {
        self.at
    }
}

/// The aliases that complete `stem`: those it starts (any case), then those it is found in.
pub fn matches<'a>(aliases: &'a [String], stem: &str) -> Vec<&'a str> {
    let stem = stem.trim().to_lowercase();
    let starts = aliases
        .iter()
        .filter(|a| a.to_lowercase().starts_with(&stem));
    let inside = aliases.iter().filter(|a| {
        let a = a.to_lowercase();
        !a.starts_with(&stem) && a.contains(&stem)
    });
    starts.chain(inside).map(String::as_str).collect()
}

/// The value Tab puts in the field, and the cycle it continues; `None` when Tab should move
/// on (no alias matches, or the only one is there already).
pub fn next(
    aliases: &[String],
    typed: &str,
    cycle: Option<&Completion>,
) -> Option<(String, Completion)> {
    let stem = cycle.map_or(typed, |c| c.stem.as_str());
    let found = matches(aliases, stem);
    let at = match (found.len(), cycle) {
        (0, _) => return None,
        (1, _) if found[0] == typed => return None,
        (_, Some(c)) => (c.at + 1) % found.len(),
        (_, None) => 0,
    };
    Some((
        found[at].to_string(),
        Completion {
            stem: stem.to_string(),
            at,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases() -> Vec<String> {
        ["prod-web", "prod-db", "staging", "Proxy-1", "db-backup"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn tab_cycles_through_the_aliases_that_complete_what_was_typed() {
        let all = aliases();
        let (value, c) = next(&all, "pro", None).unwrap();
        assert_eq!(value, "prod-web");
        let (value, c) = next(&all, &value, Some(&c)).unwrap();
        assert_eq!(value, "prod-db");
        let (value, c) = next(&all, &value, Some(&c)).unwrap();
        assert_eq!(value, "Proxy-1");
        let (value, _) = next(&all, &value, Some(&c)).unwrap();
        assert_eq!(value, "prod-web", "around again");
    }

    #[test]
    fn prefixes_come_before_matches_inside_and_nothing_matching_moves_on() {
        let all = aliases();
        assert_eq!(matches(&all, "db"), vec!["db-backup", "prod-db"]);
        assert_eq!(next(&all, "zzz", None), None);
        // The only match is there already: Tab moves to the next field.
        assert_eq!(next(&all, "staging", None), None);
        assert_eq!(next(&all, "stag", None).unwrap().0, "staging");
        // An empty field offers every alias.
        assert_eq!(matches(&all, "").len(), all.len());
    }
}
