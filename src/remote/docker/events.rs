//! The daemon's event stream (`GET /events`), reduced to what live state needs: network and
//! container changes, each with the time the daemon gave it (to resume with `since=`).

use super::{DockerApi, DockerError, classify};
use crate::domain::rfc3339_nanos;
use bollard::models::EventMessageTypeEnum;
use futures::{Stream, StreamExt};
use std::collections::HashMap;

/// The actions asked for; the rest (exec, health, top, attach…) would only be noise.
const ACTIONS: [&str; 10] = [
    "create",
    "destroy",
    "connect",
    "disconnect",
    "start",
    "die",
    "rename",
    "pause",
    "unpause",
    "remove",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Network,
    Container,
}

/// One change the daemon announced.
#[derive(Debug, Clone, PartialEq)]
pub struct DockerEvent {
    pub kind: EventKind,
    /// `create`, `destroy`, `connect`, `disconnect`, `start`, `die`…
    pub action: String,
    /// The network's or the container's full ID.
    pub id: String,
    /// Its name (for a container, its new name after a rename).
    pub name: String,
    /// A network connect or disconnect: the container's full ID.
    pub container: Option<String>,
    /// A container's labels (the daemon sends them as attributes, beside `name` and `image`).
    pub attributes: HashMap<String, String>,
    /// Nanoseconds since the epoch, as the daemon stamped it.
    pub time_nano: i64,
}

impl DockerEvent {
    fn from_message(m: bollard::models::EventMessage) -> Option<Self> {
        let kind = match m.typ? {
            EventMessageTypeEnum::NETWORK => EventKind::Network,
            EventMessageTypeEnum::CONTAINER => EventKind::Container,
            _ => return None,
        };
        let actor = m.actor?;
        let mut attributes = actor.attributes.unwrap_or_default();
        let time_nano = m
            .time_nano
            .or(m.time.map(|s| s.saturating_mul(1_000_000_000)))
            .unwrap_or_default();
        Some(DockerEvent {
            kind,
            action: m.action.unwrap_or_default(),
            id: actor.id.unwrap_or_default(),
            name: attributes.remove("name").unwrap_or_default(),
            container: attributes.remove("container"),
            attributes,
            time_nano,
        })
    }
}

/// The `since=` value that resumes right after the event stamped `time_nano` (the daemon's
/// `since` includes its own instant: one nanosecond later replays nothing twice).
pub fn since_after(time_nano: i64) -> String {
    let next = time_nano.saturating_add(1);
    format!(
        "{}.{:09}",
        next.div_euclid(1_000_000_000),
        next.rem_euclid(1_000_000_000)
    )
}

impl DockerApi {
    /// The daemon's own clock, in nanoseconds since the epoch (`since=` is read against it).
    pub async fn daemon_now(&self) -> Result<Option<i64>, DockerError> {
        let info = self.docker.info().await.map_err(classify)?;
        Ok(info.system_time.as_deref().and_then(rfc3339_nanos))
    }

    /// Network and container events from now on, or from `since` (see `since_after`): the
    /// stream ends when the daemon or the link behind the socket goes away.
    pub fn events(
        &self,
        since: Option<String>,
    ) -> impl Stream<Item = Result<DockerEvent, DockerError>> + Send + 'static {
        let filters = HashMap::from([
            (
                "type".to_string(),
                vec!["network".to_string(), "container".to_string()],
            ),
            (
                "event".to_string(),
                ACTIONS.iter().map(|a| a.to_string()).collect(),
            ),
        ]);
        let options = bollard::query_parameters::EventsOptions {
            since,
            until: None,
            filters: Some(filters),
        };
        self.docker
            .events(Some(options))
            .filter_map(|item| async move {
                match item {
                    Ok(message) => DockerEvent::from_message(message).map(Ok),
                    Err(e) => Some(Err(classify(e))),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{EventActor, EventMessage};

    #[test]
    fn since_resumes_one_nanosecond_after_the_last_event() {
        assert_eq!(
            since_after(1_796_073_752_939_877_988),
            "1796073752.939877989"
        );
        assert_eq!(since_after(1_999_999_999), "2.000000000");
    }

    #[test]
    fn the_daemons_clock_is_read_to_the_nanosecond() {
        assert_eq!(rfc3339_nanos("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_nanos("2026-11-30T21:30:20.123456789Z"),
            Some(1_796_074_220_123_456_789)
        );
        assert_eq!(
            rfc3339_nanos("2026-11-30T22:30:20.5+01:00"),
            Some(1_796_074_220_500_000_000)
        );
        assert_eq!(
            rfc3339_nanos("2000-02-29T00:00:00-00:30"),
            Some(951_784_200_000_000_000)
        );
        assert_eq!(rfc3339_nanos("yesterday"), None);
    }

    #[test]
    fn a_network_connect_names_its_container() {
        let message = EventMessage {
            typ: Some(EventMessageTypeEnum::NETWORK),
            action: Some("connect".into()),
            actor: Some(EventActor {
                id: Some("b9f1".into()),
                attributes: Some(HashMap::from([
                    ("container".to_string(), "6b80".to_string()),
                    ("name".to_string(), "evtest".to_string()),
                    ("type".to_string(), "bridge".to_string()),
                ])),
            }),
            scope: None,
            time: Some(1),
            time_nano: None,
        };
        let event = DockerEvent::from_message(message).unwrap();
        assert_eq!(event.kind, EventKind::Network);
        assert_eq!(event.name, "evtest");
        assert_eq!(event.container.as_deref(), Some("6b80"));
        assert_eq!(event.time_nano, 1_000_000_000);
        assert_eq!(
            event.attributes.get("type").map(String::as_str),
            Some("bridge")
        );
    }
}
