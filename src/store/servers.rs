//! The servers tree, with its name index.

use super::destinations::remove_destination_tx;
use super::{Store, abort, decode, tx_encode};
use crate::domain::{Error, Resource, Server};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

impl Store {
    pub fn servers(&self) -> Result<Vec<Server>, Error> {
        let mut servers: Vec<Server> = self.all(&self.servers)?;
        servers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(servers)
    }

    pub fn server(&self, uuid: &str) -> Result<Option<Server>, Error> {
        self.get(&self.servers, uuid)
    }

    /// A server by uuid or name.
    pub fn find_server(&self, reference: &str) -> Result<Server, Error> {
        if let Some(server) = self.server(reference)? {
            return Ok(server);
        }
        if let Some(uuid) = self.index_lookup(&self.server_names, reference.as_bytes())?
            && let Some(server) = self.server(&uuid)?
        {
            return Ok(server);
        }
        Err(Error::ServerNotFound(reference.to_string()))
    }

    /// Inserts a new server or updates an existing one (same uuid), keeping the name index.
    pub fn save_server(&self, server: &Server) -> Result<(), Error> {
        self.check_name_is_not_uuid("server", &server.name)?;
        (&self.servers, &self.server_names)
            .transaction(|(servers, names)| {
                let old: Option<Server> = match servers.get(server.uuid.as_bytes())? {
                    Some(raw) => Some(decode(&raw).map_err(ConflictableTransactionError::Abort)?),
                    None => None,
                };
                if let Some(owner) = names.get(server.name.as_bytes())?
                    && owner.as_ref() != server.uuid.as_bytes()
                {
                    return abort(Error::ServerNameTaken(server.name.clone()));
                }
                if let Some(old) = old
                    && old.name != server.name
                {
                    names.remove(old.name.as_bytes())?;
                }
                names.insert(server.name.as_bytes(), server.uuid.as_bytes())?;
                servers.insert(server.uuid.as_bytes(), tx_encode(server)?)?;
                Ok(())
            })
            .map_err(|e| self.tx_failure(e))?;
        self.flush()
    }

    /// Removes a server and, for `server remove --force`, every record that hangs off it.
    pub fn remove_server_with_records(&self, uuid: &str) -> Result<(), Error> {
        let doomed = self.destinations_of(uuid)?;
        let doomed_resources: Vec<Resource> = self
            .resources()?
            .into_iter()
            .filter(|r| doomed.iter().any(|d| d.uuid == r.destination_uuid))
            .collect();
        (
            &self.servers,
            &self.server_names,
            &self.destinations,
            &self.destination_names,
            &self.server_networks,
            &self.resources,
        )
            .transaction(|(servers, names, dests, dest_names, nets, resources)| {
                if let Some(raw) = servers.remove(uuid.as_bytes())? {
                    let server: Server =
                        decode(&raw).map_err(ConflictableTransactionError::Abort)?;
                    names.remove(server.name.as_bytes())?;
                }
                for d in &doomed {
                    remove_destination_tx(dests, dest_names, nets, d)?;
                }
                for r in &doomed_resources {
                    resources.remove(r.uuid.as_bytes())?;
                }
                Ok(())
            })
            .map_err(|e| self.tx_failure(e))?;
        self.flush()
    }
}
