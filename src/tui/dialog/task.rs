//! What a submitted form asks for: its fields checked with the domain's own validators, then
//! turned into the task, or the one line that says what to fix.

use super::{Candidate, Choice, FieldId, Form, FormKind};
use crate::domain::{self, OptionRefusal, ResourceKind, SubnetChoice};
use crate::ops::{
    DestinationEdit, DestinationView, NewDestination, NewResource, NewServer, ServerEdit,
};
use crate::tasks::Task;
use crate::tui::hints::refusal_text;

fn text(e: domain::Error) -> String {
    refusal_text(&e)
}

/// The add and edit server forms' fields, checked.
struct ServerFields {
    name: String,
    host: String,
    local: bool,
    port: Option<u16>,
    user: Option<String>,
    identity: Option<String>,
    docker_socket: Option<String>,
    proxy_container: Option<String>,
    /// `None` for `none`.
    color: Option<String>,
    read_only: bool,
}

impl Form {
    /// The task this form asks for, or the one line that says what to fix. `destinations`
    /// names the clone form's target.
    pub fn task(&self, destinations: &[DestinationView]) -> Result<Task, String> {
        match &self.kind {
            FormKind::AddServer => {
                let f = self.server_fields()?;
                Ok(Task::AddServer(NewServer {
                    name: f.name,
                    host: (!f.local).then_some(f.host),
                    port: f.port,
                    user: f.user,
                    identity: f.identity,
                    docker_socket: f.docker_socket,
                    proxy_container: f.proxy_container,
                    build_server: false,
                    local: f.local,
                    check: true,
                    color: f.color,
                    read_only: f.read_only,
                }))
            }
            FormKind::EditServer { server } => {
                let f = self.server_fields()?;
                let edit = ServerEdit {
                    name: Some(f.name),
                    host: Some(f.host),
                    port: f.port,
                    user: f.user,
                    identity: f.identity,
                    docker_socket: f.docker_socket,
                    proxy_container: f.proxy_container,
                    build_server: None,
                    color: Some(f.color.unwrap_or_default()),
                    read_only: Some(f.read_only),
                };
                Ok(Task::EditServer {
                    server: server.clone(),
                    edit,
                })
            }
            FormKind::CreateDestination { server } => self.create_destination_task(server),
            FormKind::NewResource { server } => self.new_resource_task(server),
            FormKind::CloneResource => self.clone_resource_task(destinations),
            FormKind::EditDestination {
                server,
                destination,
            } => {
                let name = self.value(FieldId::Name).to_string();
                domain::validate_display_name("destination", &name).map_err(text)?;
                let description = self.value(FieldId::Description).to_string();
                domain::normalize_description(&description).map_err(text)?;
                Ok(Task::EditDestination {
                    server: server.clone(),
                    destination: destination.clone(),
                    edit: DestinationEdit {
                        name: Some(name),
                        description: Some(description),
                    },
                })
            }
        }
    }

    /// A field's value, `None` when left empty.
    fn optional(&self, id: FieldId) -> Option<String> {
        let v = self.value(id);
        (!v.is_empty()).then(|| v.to_string())
    }

    fn server_fields(&self) -> Result<ServerFields, String> {
        let name = self.value(FieldId::Name).to_string();
        domain::validate_display_name("server", &name).map_err(text)?;
        let host = self.value(FieldId::Host).to_string();
        let local = host == "local";
        if host.is_empty() {
            return Err("give a host (or `local` for this machine's Docker socket)".into());
        }
        if !local {
            domain::validate_host(&host).map_err(text)?;
        }
        let port = match self.value(FieldId::Port) {
            "" => None,
            p => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("port {p:?} is not a number from 1 to 65535"))?,
            ),
        };
        let user = self.optional(FieldId::User);
        if let Some(u) = &user {
            domain::validate_user(u).map_err(text)?;
        }
        let docker_socket = self.optional(FieldId::DockerSocket);
        if let Some(s) = &docker_socket {
            domain::validate_socket_path(s).map_err(text)?;
        }
        let proxy_container = self.optional(FieldId::ProxyContainer);
        if let Some(p) = &proxy_container {
            domain::validate_container_name(p).map_err(text)?;
        }
        Ok(ServerFields {
            name,
            host,
            local,
            port,
            user,
            identity: self.optional(FieldId::IdentityFile),
            docker_socket,
            proxy_container,
            color: domain::normalize_color(self.value(FieldId::Color)).map_err(text)?,
            read_only: self.yes_no(FieldId::ReadOnly),
        })
    }

    fn create_destination_task(&self, server: &str) -> Result<Task, String> {
        let network = self.value(FieldId::Network).to_string();
        domain::validate_network_name(&network).map_err(text)?;
        let name = self.value(FieldId::Name).to_string();
        domain::validate_display_name("destination", &name).map_err(text)?;
        let internal = self.yes_no(FieldId::Internal);
        let description = self.optional(FieldId::Description);
        if let Some(d) = &description {
            domain::normalize_description(d).map_err(text)?;
        }
        let mtu = match self.optional(FieldId::Mtu) {
            Some(m) => Some(
                m.parse::<u32>()
                    .map_err(|_| format!("MTU {m:?} is not a number: give one such as 1450"))?,
            ),
            None => None,
        };
        let input = NewDestination {
            server: server.to_string(),
            name: Some(name),
            network: Some(network),
            subnet: self.optional(FieldId::Subnet),
            internal,
            description,
            ipv6: self.yes_no(FieldId::Ipv6),
            subnet6: self.optional(FieldId::Subnet6),
            mtu,
            ..Default::default()
        };
        // The same checks as the command line's, shown inside the dialog (in its words).
        let (_, choice) = domain::plan_options(&input.options_asked()).map_err(text)?;
        if choice == SubnetChoice::Auto(None) && self.fallback_pool.is_none() {
            return Err(text(OptionRefusal::AutoNeedsPool.into()));
        }
        Ok(Task::CreateDestination(Box::new(input)))
    }

    fn new_resource_task(&self, server: &str) -> Result<Task, String> {
        let name = self.value(FieldId::Name).to_string();
        domain::validate_display_name("resource", &name).map_err(text)?;
        let kind: ResourceKind = self.value(FieldId::Kind).parse().map_err(text)?;
        let destination = self.picked(FieldId::Destination)?.key.clone();
        let image = self.value(FieldId::Image).to_string();
        if image.is_empty() {
            return Err("give the image to run".into());
        }
        let connect_predefined = self.yes_no(FieldId::Predefined);
        Ok(Task::CreateResource(NewResource {
            name,
            kind: Some(kind),
            server: server.to_string(),
            destination: Some(destination),
            image,
            command: self.optional(FieldId::Command),
            connect_predefined,
        }))
    }

    /// A clone onto the destination chosen in the form, on that destination's server.
    fn clone_resource_task(&self, destinations: &[DestinationView]) -> Result<Task, String> {
        let resource = self.picked(FieldId::Resource)?.key.clone();
        let chosen = self.picked(FieldId::Destination)?;
        let name = self.optional(FieldId::Name);
        if let Some(n) = &name {
            domain::validate_display_name("resource", n).map_err(text)?;
        }
        let Some(target) = destinations.iter().find(|d| d.uuid == chosen.key) else {
            return Err(format!(
                "destination {} is gone: choose another",
                chosen.label
            ));
        };
        Ok(Task::CloneResource {
            server: target.server_uuid.clone(),
            resource,
            destination: target.uuid.clone(),
            name,
        })
    }

    /// The candidate chosen in pick `id`, or the line that says how to choose one.
    fn picked(&self, id: FieldId) -> Result<&Candidate, String> {
        if let Some(chosen) = self.chosen(id) {
            return Ok(chosen);
        }
        let what = id.label().to_lowercase();
        let Some(field) = self.fields.iter().find(|f| f.id == id) else {
            return Err(format!("no {what} to choose"));
        };
        let filter = field.input.value().trim();
        match &field.choice {
            Choice::Pick(p) if !filter.is_empty() && p.matching(filter).is_empty() => Err(format!(
                "no {what} matches {filter:?}: Backspace widens the list"
            )),
            _ => Err(format!(
                "choose the {what}: Enter opens its list (Tab to it), or type to filter"
            )),
        }
    }
}
