//! Opt-in proxy re-attach (DESIGN.md §11): a proxy something else disconnected is put back,
//! never after destui's own disconnect, and left alone when it keeps being disconnected.

use super::*;

impl Watcher<'_> {
    /// Puts the proxy back on the destinations it was disconnected from, unless destui itself
    /// is removing them (a stored intent), the network went with it, or it keeps flapping.
    pub(super) async fn reattach(&mut self, docker: &DockerApi, touched: &mut Touched) {
        let detached: Vec<Destination> = touched
            .destinations
            .iter()
            .filter(|d| {
                touched.proxy_left.contains(&d.uuid)
                    && self.told.get(&d.uuid) == Some(&HealthStatus::ProxyDetached)
            })
            .cloned()
            .collect();
        if detached.is_empty() {
            return;
        }
        tokio::time::sleep(REATTACH_GRACE).await;
        let busy: HashSet<DestinationId> = self
            .ops
            .db(|s| s.intents())
            .await
            .map(|intents| intents.into_iter().map(|i| i.destination.uuid).collect())
            .unwrap_or_default();
        for d in detached {
            if busy.contains(&d.uuid) || !self.still_recorded(&d).await {
                continue;
            }
            if self.flapping(&d, touched) {
                continue;
            }
            let check = self.ops.check_against(&d, &self.server, true, None).await;
            if check.status != HealthStatus::ProxyDetached {
                continue;
            }
            let warning = self
                .ops
                .attach_proxy(&self.server, docker, &d.network_id)
                .await;
            let after = self.ops.check_against(&d, &self.server, true, None).await;
            let mut change = self.change("reattach");
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
            change.detail = Some(match &warning {
                None => format!(
                    "proxy {} was disconnected from {} by something else: attached again",
                    self.server.proxy_container, d.name
                ),
                Some(w) => w.to_string(),
            });
            self.tell_state(&mut change, &after);
            // The unused flag of a check that assumed a resource is not known here.
            if let Some(check) = change.check.as_mut() {
                check.unused = false;
            }
            touched.changes.push(change);
        }
    }

    /// Counts a disconnect of the proxy from `d`; true when it is one too many (the first
    /// time, a change says it is left alone).
    fn flapping(&mut self, d: &Destination, touched: &mut Touched) -> bool {
        let now = Instant::now();
        let seen = self.detaches.entry(d.uuid.clone()).or_default();
        seen.push_back(now);
        while seen
            .front()
            .is_some_and(|t| now.duration_since(*t) > FLAP_WINDOW)
        {
            seen.pop_front();
        }
        let times = seen.len();
        if times <= FLAP_LIMIT {
            self.given_up.remove(&d.uuid);
            return false;
        }
        if self.given_up.insert(d.uuid.clone()) {
            let mut change = self.change("reattach");
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
            change.status = Some(HealthStatus::ProxyDetached.as_str().to_string());
            change.detail = Some(format!(
                "proxy {} was disconnected from {} {} times in {} s: left alone, something keeps disconnecting it",
                self.server.proxy_container,
                d.name,
                times,
                FLAP_WINDOW.as_secs()
            ));
            touched.changes.push(change);
        }
        true
    }

    async fn still_recorded(&self, d: &Destination) -> bool {
        let uuid = d.uuid.clone();
        matches!(
            self.ops.db(move |s| s.destination(&uuid)).await,
            Ok(Some(_))
        )
    }
}
