//! The resources tree.

use super::{Store, encode};
use crate::domain::{Error, Resource};
use sled::Transactional;

impl Store {
    pub fn resources(&self) -> Result<Vec<Resource>, Error> {
        let mut all: Vec<Resource> = self.all(&self.resources)?;
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    pub fn resources_on(&self, destination_uuid: &str) -> Result<Vec<Resource>, Error> {
        Ok(self
            .resources()?
            .into_iter()
            .filter(|r| r.destination_uuid == destination_uuid)
            .collect())
    }

    /// A resource by uuid or (exact) name.
    pub fn find_resource(&self, reference: &str) -> Result<Resource, Error> {
        self.resources()?
            .into_iter()
            .find(|r| r.uuid == reference || r.name == reference)
            .ok_or_else(|| Error::ResourceNotFound(reference.to_string()))
    }

    /// Saves a deployed resource's record and drops its intent in one transaction.
    pub fn save_deployed_resource(&self, r: &Resource) -> Result<(), Error> {
        let record = encode(r)?;
        (&self.resources, &self.resource_intents)
            .transaction(|(resources, intents)| {
                resources.insert(r.uuid.as_bytes(), record.clone())?;
                intents.remove(r.uuid.as_bytes())?;
                Ok(())
            })
            .map_err(|e| self.tx_failure(e))?;
        self.flush()
    }

    /// Records resources adopted from a daemon's labels (DESIGN.md §12), in one transaction:
    /// one already recorded is left out, a name taken here gets a suffix. Returns those
    /// recorded.
    pub fn adopt_resources(&self, candidates: Vec<Resource>) -> Result<Vec<Resource>, Error> {
        let mut names: Vec<String> = self.resources()?.into_iter().map(|r| r.name).collect();
        let mut adopted = Vec::new();
        for mut r in candidates {
            if self.is_record_uuid(&r.uuid)? {
                continue;
            }
            r.name = crate::domain::first_free_name(&r.name, |candidate| {
                names.iter().any(|n| n == candidate)
                    || self.is_record_uuid(candidate).unwrap_or(true)
            });
            names.push(r.name.clone());
            adopted.push(r);
        }
        let records = adopted
            .iter()
            .map(|r| Ok((r.uuid.clone(), encode(r)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        self.resources
            .transaction(|resources| {
                for (uuid, record) in &records {
                    resources.insert(uuid.as_bytes(), record.clone())?;
                }
                Ok(())
            })
            .map_err(|e| self.tx_failure(e))?;
        self.flush()?;
        Ok(adopted)
    }

    pub fn remove_resource(&self, uuid: &str) -> Result<(), Error> {
        self.resources
            .remove(uuid.as_bytes())
            .map_err(|e| self.storage(e))?;
        self.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::new_uuid;

    #[test]
    fn a_deployed_resource_replaces_its_intent() {
        use crate::domain::{Resource, ResourceIntent, ResourceKind};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d")).unwrap();
        assert!(!store.has_intents().unwrap());
        let resource = Resource {
            uuid: new_uuid().into(),
            name: "shop".into(),
            kind: ResourceKind::Application,
            image: "nginx".into(),
            command: None,
            destination_uuid: new_uuid().into(),
            connect_predefined: false,
            original_name: None,
        };
        let intent = ResourceIntent {
            resource: resource.clone(),
            server_uuid: "s1".into(),
        };
        store.put_resource_intent(&intent).unwrap();
        assert!(store.has_intents().unwrap());
        assert_eq!(store.resource_intents().unwrap(), vec![intent]);
        assert!(
            store.resources().unwrap().is_empty(),
            "no record before the deploy"
        );
        store.save_deployed_resource(&resource).unwrap();
        assert_eq!(store.resources().unwrap(), vec![resource]);
        assert!(!store.has_intents().unwrap());
    }
}
