//! The destinations tree, with its two unique indexes: destination names, and (server,
//! network) pairs. An index changes in the same transaction as its record, and so does the
//! record's intent where one is set or dropped.

use super::{Store, TxResult, abort, decode, encode, tx_encode};
use crate::domain::{Destination, Error, Intent, IntentStep};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

impl Store {
    pub fn destinations(&self) -> Result<Vec<Destination>, Error> {
        let mut all: Vec<Destination> = self.all(&self.destinations)?;
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    pub fn destinations_of(&self, server_uuid: &str) -> Result<Vec<Destination>, Error> {
        Ok(self
            .destinations()?
            .into_iter()
            .filter(|d| d.server_uuid == server_uuid)
            .collect())
    }

    pub fn destination(&self, uuid: &str) -> Result<Option<Destination>, Error> {
        self.get(&self.destinations, uuid)
    }

    pub fn destination_name_taken(&self, name: &str) -> Result<bool, Error> {
        self.destination_names
            .contains_key(name.as_bytes())
            .map_err(|e| self.storage(e))
    }

    pub fn destination_by_network(
        &self,
        server_uuid: &str,
        network: &str,
    ) -> Result<Option<Destination>, Error> {
        match self.index_lookup(&self.server_networks, &network_key(server_uuid, network))? {
            Some(uuid) => self.destination(&uuid),
            None => Ok(None),
        }
    }

    /// A destination by uuid, name, or `server/network` (server by name or uuid).
    pub fn find_destination(&self, reference: &str) -> Result<Destination, Error> {
        if let Some(d) = self.destination(reference)? {
            return Ok(d);
        }
        if let Some(uuid) = self.index_lookup(&self.destination_names, reference.as_bytes())?
            && let Some(d) = self.destination(&uuid)?
        {
            return Ok(d);
        }
        if let Some((server, network)) = reference.split_once('/')
            && let Ok(server) = self.find_server(server)
            && let Some(d) = self.destination_by_network(&server.uuid, network)?
        {
            return Ok(d);
        }
        Err(Error::DestinationNotFound(reference.to_string()))
    }

    /// Refuses what `insert_destination` would refuse, before any remote work is done.
    pub fn check_destination_is_new(&self, d: &Destination) -> Result<(), Error> {
        if self
            .server_networks
            .contains_key(network_key(&d.server_uuid, &d.network))
            .map_err(|e| self.storage(e))?
        {
            return Err(Error::NetworkAlreadyAdded);
        }
        if self.destination_name_taken(&d.name)? {
            return Err(Error::DestinationNameTaken(d.name.clone()));
        }
        self.check_name_is_not_uuid("destination", &d.name)
    }

    /// Saves a new destination with its indexes, and drops its intent, in one transaction.
    pub fn insert_destination(&self, d: &Destination) -> Result<(), Error> {
        self.check_name_is_not_uuid("destination", &d.name)?;
        self.destination_tx(|dests, names, nets, intents| {
            insert_destination_tx(dests, names, nets, d)?;
            intents.remove(d.uuid.as_bytes())?;
            Ok(())
        })
    }

    /// Saves many new destinations in one transaction and one flush (import): all or none.
    pub fn insert_destinations(&self, batch: &[Destination]) -> Result<(), Error> {
        self.insert_destinations_with(batch, None)
    }

    /// Like `insert_destinations`, and with each record an intent of `step` (import saves
    /// its records before it attaches the proxy to them).
    pub fn insert_destinations_pending(
        &self,
        batch: &[Destination],
        step: IntentStep,
    ) -> Result<(), Error> {
        self.insert_destinations_with(batch, Some(step))
    }

    fn insert_destinations_with(
        &self,
        batch: &[Destination],
        step: Option<IntentStep>,
    ) -> Result<(), Error> {
        for d in batch {
            self.check_name_is_not_uuid("destination", &d.name)?;
        }
        self.destination_tx(|dests, names, nets, intents| {
            for d in batch {
                insert_destination_tx(dests, names, nets, d)?;
                if let Some(step) = step {
                    let intent = Intent {
                        destination: d.clone(),
                        step,
                    };
                    intents.insert(d.uuid.as_bytes(), tx_encode(&intent)?)?;
                }
            }
            Ok(())
        })
    }

    pub fn rename_destination(&self, uuid: &str, new_name: &str) -> Result<Destination, Error> {
        self.edit_destination(uuid, Some(new_name), None)
    }

    /// Renames a destination (its name index moves with it) and/or sets its description
    /// (`Some(None)` clears it), in one transaction.
    pub fn edit_destination(
        &self,
        uuid: &str,
        new_name: Option<&str>,
        description: Option<Option<String>>,
    ) -> Result<Destination, Error> {
        if let Some(name) = new_name {
            self.check_name_is_not_uuid("destination", name)?;
        }
        let edited = (&self.destinations, &self.destination_names)
            .transaction(|(dests, names)| {
                let Some(raw) = dests.get(uuid.as_bytes())? else {
                    return abort(Error::DestinationNotFound(uuid.to_string()));
                };
                let mut d: Destination =
                    decode(&raw).map_err(ConflictableTransactionError::Abort)?;
                let before = d.clone();
                if let Some(new_name) = new_name
                    && d.name != new_name
                {
                    if names.get(new_name.as_bytes())?.is_some() {
                        return abort(Error::DestinationNameTaken(new_name.to_string()));
                    }
                    names.remove(d.name.as_bytes())?;
                    names.insert(new_name.as_bytes(), d.uuid.as_bytes())?;
                    d.name = new_name.to_string();
                }
                if let Some(description) = &description {
                    d.description = description.clone();
                }
                if d != before {
                    dests.insert(d.uuid.as_bytes(), tx_encode(&d)?)?;
                }
                Ok(d)
            })
            .map_err(|e| self.tx_failure(e))?;
        self.flush()?;
        Ok(edited)
    }

    /// Replaces the network ID of a destination (after `repair` recreated its network).
    pub fn update_destination_network_id(&self, uuid: &str, network_id: &str) -> Result<(), Error> {
        let Some(mut d) = self.destination(uuid)? else {
            return Err(Error::DestinationNotFound(uuid.to_string()));
        };
        d.network_id = network_id.to_string();
        self.destinations
            .insert(uuid.as_bytes(), encode(&d)?)
            .map_err(|e| self.storage(e))?;
        self.flush()
    }

    /// Removes a destination and its indexes, and any intent of it, in one transaction; a
    /// record already gone (another delete won) is `DestinationNotFound`.
    pub fn remove_destination(&self, d: &Destination) -> Result<(), Error> {
        self.destination_tx(|dests, names, nets, intents| {
            if dests.get(d.uuid.as_bytes())?.is_none() {
                return abort(Error::DestinationNotFound(d.name.clone()));
            }
            remove_destination_tx(dests, names, nets, d)?;
            intents.remove(d.uuid.as_bytes())?;
            Ok(())
        })
    }

    /// Runs `change` on the destinations, their two indexes and the intents in one
    /// transaction, then flushes.
    fn destination_tx(
        &self,
        change: impl Fn(
            &TransactionalTree,
            &TransactionalTree,
            &TransactionalTree,
            &TransactionalTree,
        ) -> TxResult<()>,
    ) -> Result<(), Error> {
        (
            &self.destinations,
            &self.destination_names,
            &self.server_networks,
            &self.intents,
        )
            .transaction(|(dests, names, nets, intents)| change(dests, names, nets, intents))
            .map_err(|e| self.tx_failure(e))?;
        self.flush()
    }
}

fn network_key(server_uuid: &str, network: &str) -> Vec<u8> {
    format!("{server_uuid}/{network}").into_bytes()
}

/// Refuses a taken (server, network) pair first (the spec's message), then a taken name.
fn insert_destination_tx(
    dests: &TransactionalTree,
    names: &TransactionalTree,
    nets: &TransactionalTree,
    d: &Destination,
) -> TxResult<()> {
    let key = network_key(&d.server_uuid, &d.network);
    if nets.get(key.as_slice())?.is_some() {
        return abort(Error::NetworkAlreadyAdded);
    }
    if names.get(d.name.as_bytes())?.is_some() {
        return abort(Error::DestinationNameTaken(d.name.clone()));
    }
    dests.insert(d.uuid.as_bytes(), tx_encode(d)?)?;
    names.insert(d.name.as_bytes(), d.uuid.as_bytes())?;
    nets.insert(key, d.uuid.as_bytes())?;
    Ok(())
}

pub(super) fn remove_destination_tx(
    dests: &TransactionalTree,
    names: &TransactionalTree,
    nets: &TransactionalTree,
    d: &Destination,
) -> TxResult<()> {
    dests.remove(d.uuid.as_bytes())?;
    // Only drop index entries that still point at this record.
    if names.get(d.name.as_bytes())?.as_deref() == Some(d.uuid.as_bytes()) {
        names.remove(d.name.as_bytes())?;
    }
    let key = network_key(&d.server_uuid, &d.network);
    if nets.get(key.as_slice())?.as_deref() == Some(d.uuid.as_bytes()) {
        nets.remove(key)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DestinationType, new_uuid};

    fn dest(server: &str, name: &str, network: &str) -> Destination {
        Destination {
            uuid: new_uuid().into(),
            name: name.into(),
            network: network.into(),
            network_id: "0".repeat(64),
            server_uuid: server.into(),
            kind: DestinationType::Standalone,
            created_at: 0,
            description: None,
            original_name: None,
            options: Default::default(),
        }
    }

    #[test]
    fn unique_name_and_network_per_server() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d")).unwrap();
        store.insert_destination(&dest("s1", "a", "net")).unwrap();
        assert_eq!(
            store.insert_destination(&dest("s1", "b", "net")),
            Err(Error::NetworkAlreadyAdded)
        );
        assert_eq!(
            store.insert_destination(&dest("s2", "a", "net")),
            Err(Error::DestinationNameTaken("a".into()))
        );
        store.insert_destination(&dest("s2", "b", "net")).unwrap();
        assert_eq!(store.destinations().unwrap().len(), 2);
    }

    #[test]
    fn rename_moves_the_index_and_remove_clears_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d")).unwrap();
        let d = dest("s1", "a", "net");
        store.insert_destination(&d).unwrap();
        let renamed = store.rename_destination(&d.uuid, "b").unwrap();
        assert!(!store.destination_name_taken("a").unwrap());
        assert_eq!(store.find_destination("b").unwrap().uuid, d.uuid);
        store.remove_destination(&renamed).unwrap();
        assert!(store.destinations().unwrap().is_empty());
        store.insert_destination(&dest("s1", "a", "net")).unwrap();
    }

    #[test]
    fn edit_sets_name_and_description_together_and_old_records_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d")).unwrap();
        let d = dest("s1", "a", "net");
        store.insert_destination(&d).unwrap();
        store
            .insert_destination(&dest("s1", "taken", "net2"))
            .unwrap();
        let edited = store
            .edit_destination(&d.uuid, Some("b"), Some(Some("shop".into())))
            .unwrap();
        assert_eq!(
            (edited.name.as_str(), edited.description.as_deref()),
            ("b", Some("shop"))
        );
        assert_eq!(
            store.find_destination("b").unwrap().description.as_deref(),
            Some("shop")
        );
        // A refused rename changes nothing, the description included.
        assert_eq!(
            store.edit_destination(&d.uuid, Some("taken"), Some(None)),
            Err(Error::DestinationNameTaken("taken".into()))
        );
        assert_eq!(
            store.find_destination("b").unwrap().description.as_deref(),
            Some("shop")
        );
        let cleared = store.edit_destination(&d.uuid, None, Some(None)).unwrap();
        assert_eq!((cleared.name.as_str(), cleared.description), ("b", None));

        // A record written before descriptions existed has none.
        let mut old = serde_json::to_value(dest("s1", "c", "net3")).unwrap();
        old.as_object_mut().unwrap().remove("description");
        let read: Destination = decode(&serde_json::to_vec(&old).unwrap()).unwrap();
        assert_eq!(read.description, None);
    }
}
