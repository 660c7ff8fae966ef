//! What a crash may leave to settle: the intents of destinations and of resources, each
//! kept until the step it records is done (see `ops::reconcile`).

use super::{Store, encode};
use crate::domain::{DestinationId, Error, Intent, ResourceIntent};

impl Store {
    pub fn put_intent(&self, intent: &Intent) -> Result<(), Error> {
        self.intents
            .insert(intent.destination.uuid.as_bytes(), encode(intent)?)
            .map_err(|e| self.storage(e))?;
        self.flush()
    }

    pub fn intents(&self) -> Result<Vec<Intent>, Error> {
        self.all(&self.intents)
    }

    pub fn drop_intent(&self, destination_uuid: &DestinationId) -> Result<(), Error> {
        self.drop_intents(std::slice::from_ref(destination_uuid))
    }

    /// Drops many intents with one flush (the end of an import).
    pub fn drop_intents(&self, destination_uuids: &[DestinationId]) -> Result<(), Error> {
        let mut batch = sled::Batch::default();
        for uuid in destination_uuids {
            batch.remove(uuid.as_bytes());
        }
        self.intents
            .apply_batch(batch)
            .map_err(|e| self.storage(e))?;
        self.flush()
    }

    /// Whether a crash left any step to settle (destinations or resources).
    pub fn has_intents(&self) -> Result<bool, Error> {
        Ok(!self.intents.is_empty() || !self.resource_intents.is_empty())
    }

    pub fn put_resource_intent(&self, intent: &ResourceIntent) -> Result<(), Error> {
        self.resource_intents
            .insert(intent.resource.uuid.as_bytes(), encode(intent)?)
            .map_err(|e| self.storage(e))?;
        self.flush()
    }

    pub fn resource_intents(&self) -> Result<Vec<ResourceIntent>, Error> {
        self.all(&self.resource_intents)
    }

    pub fn drop_resource_intent(&self, resource_uuid: &str) -> Result<(), Error> {
        self.resource_intents
            .remove(resource_uuid.as_bytes())
            .map_err(|e| self.storage(e))?;
        self.flush()
    }
}
