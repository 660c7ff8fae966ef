//! The ids of records: one type each, so a server's id can never stand where a destination's
//! is expected. Stored and printed as the bare cuid2 string (`#[serde(transparent)]`: records
//! written before these types read back unchanged).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh id for a new record.
            pub fn new_random() -> Self {
                $name(super::new_uuid())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Maps and sets keyed by the id can be asked with a `&str`.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    };
}

record_id!(
    /// A server record's uuid.
    ServerId
);
record_id!(
    /// A destination record's uuid.
    DestinationId
);
record_id!(
    /// A resource record's uuid.
    ResourceId
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Records written before the id types read back unchanged, and write the same bytes.
    #[test]
    fn ids_are_stored_and_printed_as_the_bare_string() {
        let id: ServerId = serde_json::from_str("\"abc123\"").unwrap_or_default();
        assert_eq!(id, "abc123");
        assert_eq!(
            serde_json::to_string(&id).ok().as_deref(),
            Some("\"abc123\"")
        );
        assert_eq!(id.to_string(), "abc123");
        // Maps keyed by id answer a `&str`.
        let by_id = HashMap::from([(DestinationId::from("d1"), 1)]);
        assert_eq!(by_id.get("d1"), Some(&1));
        assert_ne!(ServerId::new_random(), ServerId::new_random());
    }
}
