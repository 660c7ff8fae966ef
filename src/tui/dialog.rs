//! Dialog state: forms built from `tui-input` fields, confirmations, the server check. A form
//! turns its fields into a task, refusing bad input inline (the domain's own validators) so
//! nothing is submitted that the CLI would refuse; what was typed is never lost.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::domain::{self, Server};
use crate::ops::{DestinationView, NewDestination, NewServer, ServerEdit};
use crate::tasks::Task;
use crate::tui::hints::error_text;

#[derive(Debug, Clone)]
pub enum Dialog {
    Form(Form),
    Confirm(Confirm),
    /// The live check of one server (uuid).
    ServerCheck {
        server: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    AddServer,
    EditServer { server: String },
    CreateDestination { server: String },
    Rename { server: String, destination: String },
    NewResource { server: String },
    CloneResource,
}

/// Which field of a form: how the form finds a value, whatever its label says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Name,
    Host,
    Port,
    User,
    IdentityFile,
    DockerSocket,
    ProxyContainer,
    Network,
    Subnet,
    Internal,
    Kind,
    Destination,
    Image,
    Command,
    Predefined,
    Resource,
}

impl FieldId {
    /// The label the form shows.
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Name => "Name",
            FieldId::Host => "Host",
            FieldId::Port => "Port",
            FieldId::User => "User",
            FieldId::IdentityFile => "Identity file",
            FieldId::DockerSocket => "Docker socket",
            FieldId::ProxyContainer => "Proxy container",
            FieldId::Network => "Network",
            FieldId::Subnet => "Subnet",
            FieldId::Internal => "Internal",
            FieldId::Kind => "Kind",
            FieldId::Destination => "Destination",
            FieldId::Image => "Image",
            FieldId::Command => "Command",
            FieldId::Predefined => "Predefined",
            FieldId::Resource => "Resource",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub id: FieldId,
    pub input: Input,
    pub hint: &'static str,
}

impl Field {
    pub fn label(&self) -> &'static str {
        self.id.label()
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    /// Read-only lines shown above the fields (what cannot be edited).
    pub info: Vec<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// Create form: the name follows the network until the user edits the name.
    name_edited: bool,
    server_name: String,
}

fn field(id: FieldId, value: &str, hint: &'static str) -> Field {
    Field {
        id,
        input: Input::new(value.to_string()),
        hint,
    }
}

impl Form {
    fn new(kind: FormKind, title: String, info: Vec<String>, fields: Vec<Field>) -> Self {
        Form {
            kind,
            title,
            info,
            fields,
            focus: 0,
            error: None,
            name_edited: false,
            server_name: String::new(),
        }
    }

    pub fn add_server() -> Self {
        Form::new(
            FormKind::AddServer,
            "Add server".into(),
            vec!["host `local` uses this machine's Docker socket".into()],
            server_fields(None),
        )
    }

    pub fn edit_server(server: &Server) -> Self {
        Form::new(
            FormKind::EditServer {
                server: server.uuid.clone(),
            },
            format!("Edit server {}", server.name),
            Vec::new(),
            server_fields(Some(server)),
        )
    }

    pub fn create_destination(server: &Server) -> Self {
        let network = domain::new_uuid();
        let mut form = Form::new(
            FormKind::CreateDestination {
                server: server.uuid.clone(),
            },
            format!("Create destination on {}", server.name),
            vec![format!(
                "server {} ({}), type from its mode: {}",
                server.name, server.host, server.mode
            )],
            vec![
                field(
                    FieldId::Name,
                    &domain::default_destination_name(&server.name, &network),
                    "unique across all destinations",
                ),
                field(
                    FieldId::Network,
                    &network,
                    "Docker network name; fixed once created",
                ),
                field(FieldId::Subnet, "", "optional CIDR, e.g. 10.20.0.0/24"),
                field(FieldId::Internal, "no", "yes: no outbound traffic"),
            ],
        );
        form.server_name = server.name.clone();
        form
    }

    pub fn rename(d: &DestinationView) -> Self {
        Form::new(
            FormKind::Rename {
                server: d.server_uuid.clone(),
                destination: d.uuid.clone(),
            },
            format!("Rename {}", d.name),
            vec![
                format!("server {} ({})", d.server, d.server_ip),
                format!("network {} (cannot change)", d.network),
            ],
            vec![field(
                FieldId::Name,
                &d.name,
                "unique across all destinations",
            )],
        )
    }

    /// Deploy a resource on `server`; the destination is prefilled when there is no choice
    /// (or with the selected one) and the info line lists the candidates.
    pub fn new_resource(
        server: &Server,
        destinations: &[String],
        preselected: Option<&str>,
    ) -> Self {
        let prefilled = match (destinations, preselected) {
            ([only], _) => only.as_str(),
            (_, Some(selected)) => selected,
            _ => "",
        };
        Form::new(
            FormKind::NewResource {
                server: server.uuid.clone(),
            },
            format!("New resource on {}", server.name),
            vec![format!("destinations: {}", destinations.join(", "))],
            vec![
                field(FieldId::Name, "", "unique across all resources"),
                field(
                    FieldId::Kind,
                    "application",
                    "application, database or service",
                ),
                field(
                    FieldId::Destination,
                    prefilled,
                    "one of the destinations above",
                ),
                field(FieldId::Image, "", "e.g. nginx:1.27"),
                field(FieldId::Command, "", "optional, run with /bin/sh -c"),
                field(
                    FieldId::Predefined,
                    "no",
                    "service: also join the destination's network (yes/no)",
                ),
            ],
        )
    }

    /// Clone one of `resources` (on the selected destination) onto another destination.
    pub fn clone_resource(resources: &[String], destinations: &[String]) -> Self {
        Form::new(
            FormKind::CloneResource,
            "Clone resource".into(),
            vec![
                format!("resources here: {}", resources.join(", ")),
                format!("destinations: {}", destinations.join(", ")),
            ],
            vec![
                field(
                    FieldId::Resource,
                    resources.first().map_or("", |r| r.as_str()),
                    "the resource to copy",
                ),
                field(FieldId::Destination, "", "where the copy runs"),
                field(FieldId::Name, "", "empty: <name>-clone"),
            ],
        )
    }

    /// The trimmed value of field `id` (empty when the form has no such field).
    pub fn value(&self, id: FieldId) -> &str {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map_or("", |f| f.input.value().trim())
    }

    /// A yes/no field; empty means no.
    fn yes_no(&self, id: FieldId) -> Result<bool, String> {
        match self.value(id).to_lowercase().as_str() {
            "" | "no" | "n" => Ok(false),
            "yes" | "y" => Ok(true),
            other => Err(format!("{}: answer yes or no, not {other:?}", id.label())),
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        let count = self.fields.len().max(1);
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % count,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + count - 1) % count,
            _ => {
                let Some(field) = self.fields.get_mut(self.focus) else {
                    return;
                };
                let id = field.id;
                if field.input.handle_event(&Event::Key(key)).is_some() {
                    self.error = None;
                    self.follow_network(id);
                }
            }
        }
    }

    /// In the create form the default name tracks the network until the name is edited.
    fn follow_network(&mut self, edited: FieldId) {
        if !matches!(self.kind, FormKind::CreateDestination { .. }) {
            return;
        }
        match edited {
            FieldId::Name => self.name_edited = true,
            FieldId::Network if !self.name_edited => {
                let name = domain::default_destination_name(
                    &self.server_name,
                    self.value(FieldId::Network),
                );
                if let Some(f) = self.fields.iter_mut().find(|f| f.id == FieldId::Name) {
                    f.input = Input::new(name);
                }
            }
            _ => {}
        }
    }

    /// The task this form asks for, or the one line that says what to fix.
    pub fn task(&self) -> Result<Task, String> {
        let text = |e: domain::Error| error_text(&e);
        let optional = |id: FieldId| {
            let v = self.value(id);
            (!v.is_empty()).then(|| v.to_string())
        };
        match &self.kind {
            FormKind::AddServer | FormKind::EditServer { .. } => {
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
                let port =
                    match self.value(FieldId::Port) {
                        "" => None,
                        p => Some(p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                            format!("port {p:?} is not a number from 1 to 65535")
                        })?),
                    };
                let user = optional(FieldId::User);
                if let Some(u) = &user {
                    domain::validate_user(u).map_err(text)?;
                }
                let socket = optional(FieldId::DockerSocket);
                if let Some(s) = &socket {
                    domain::validate_socket_path(s).map_err(text)?;
                }
                let proxy = optional(FieldId::ProxyContainer);
                if let Some(p) = &proxy {
                    domain::validate_container_name(p).map_err(text)?;
                }
                let identity = optional(FieldId::IdentityFile);
                match &self.kind {
                    FormKind::EditServer { server } => Ok(Task::EditServer {
                        server: server.clone(),
                        edit: ServerEdit {
                            name: Some(name),
                            host: Some(host),
                            port,
                            user,
                            identity,
                            docker_socket: socket,
                            proxy_container: proxy,
                            build_server: None,
                        },
                    }),
                    _ => Ok(Task::AddServer(NewServer {
                        name,
                        host: (!local).then_some(host),
                        port,
                        user,
                        identity,
                        docker_socket: socket,
                        proxy_container: proxy,
                        build_server: false,
                        local,
                        check: true,
                    })),
                }
            }
            FormKind::CreateDestination { server } => {
                let network = self.value(FieldId::Network).to_string();
                domain::validate_network_name(&network).map_err(text)?;
                let name = self.value(FieldId::Name).to_string();
                domain::validate_display_name("destination", &name).map_err(text)?;
                let internal = self.yes_no(FieldId::Internal)?;
                Ok(Task::CreateDestination(NewDestination {
                    server: server.clone(),
                    name: Some(name),
                    network: Some(network),
                    subnet: optional(FieldId::Subnet),
                    internal,
                }))
            }
            FormKind::NewResource { server } => {
                let name = self.value(FieldId::Name).to_string();
                domain::validate_display_name("resource", &name).map_err(text)?;
                let kind = match self.value(FieldId::Kind) {
                    "" => domain::ResourceKind::Application,
                    typed => typed.parse().map_err(text)?,
                };
                let image = self.value(FieldId::Image).to_string();
                if image.is_empty() {
                    return Err("give the image to run".into());
                }
                let connect_predefined = self.yes_no(FieldId::Predefined)?;
                Ok(Task::CreateResource(crate::ops::NewResource {
                    name,
                    kind: Some(kind),
                    server: server.clone(),
                    destination: optional(FieldId::Destination),
                    image,
                    command: optional(FieldId::Command),
                    connect_predefined,
                }))
            }
            FormKind::CloneResource => {
                let resource = self.value(FieldId::Resource).to_string();
                let destination = self.value(FieldId::Destination).to_string();
                if resource.is_empty() || destination.is_empty() {
                    return Err("give the resource and the destination to clone it to".into());
                }
                let name = optional(FieldId::Name);
                if let Some(n) = &name {
                    domain::validate_display_name("resource", n).map_err(text)?;
                }
                Ok(Task::CloneResource {
                    // Resolved to the target's server by the app before submitting.
                    server: String::new(),
                    resource,
                    destination,
                    name,
                })
            }
            FormKind::Rename {
                server,
                destination,
            } => {
                let name = self.value(FieldId::Name).to_string();
                domain::validate_display_name("destination", &name).map_err(text)?;
                Ok(Task::RenameDestination {
                    server: server.clone(),
                    destination: destination.clone(),
                    name,
                })
            }
        }
    }
}

fn server_fields(server: Option<&Server>) -> Vec<Field> {
    let get = |f: fn(&Server) -> String| server.map(f).unwrap_or_default();
    vec![
        field(FieldId::Name, &get(|s| s.name.clone()), "unique"),
        field(
            FieldId::Host,
            &get(|s| {
                if s.local {
                    "local".into()
                } else {
                    s.host.clone()
                }
            }),
            "hostname, IP or ssh-config alias",
        ),
        field(
            FieldId::Port,
            &get(|s| s.port.map(|p| p.to_string()).unwrap_or_default()),
            "empty: 22 or the ssh config's",
        ),
        field(
            FieldId::User,
            &get(|s| s.user.clone().unwrap_or_default()),
            "empty: the ssh config's",
        ),
        field(
            FieldId::IdentityFile,
            &get(|s| s.identity.clone().unwrap_or_default()),
            "empty: the ssh config's",
        ),
        field(
            FieldId::DockerSocket,
            &get(|s| s.docker_socket.clone()),
            "empty: /var/run/docker.sock",
        ),
        field(
            FieldId::ProxyContainer,
            &get(|s| s.proxy_container.clone()),
            "empty: coolify-proxy",
        ),
    ]
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConfirmKind {
    /// (server uuid, destination uuid) pairs.
    DeleteDestinations(Vec<(String, String)>),
    RemoveServer {
        server: String,
        force: bool,
    },
    AddLocal,
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub kind: ConfirmKind,
    pub title: String,
    pub lines: Vec<String>,
}

impl Confirm {
    pub fn delete_destinations(targets: &[DestinationView]) -> Self {
        let mut lines: Vec<String> = targets
            .iter()
            .take(8)
            .map(|d| format!("{} — network {} on {}", d.name, d.network, d.server))
            .collect();
        if targets.len() > 8 {
            lines.push(format!("… and {} more", targets.len() - 8));
        }
        lines.push(String::new());
        lines.push(
            "Each network is removed from its server; refused while anything but the proxy uses it."
                .into(),
        );
        Confirm {
            kind: ConfirmKind::DeleteDestinations(
                targets
                    .iter()
                    .map(|d| (d.server_uuid.clone(), d.uuid.clone()))
                    .collect(),
            ),
            title: format!("Delete {} destination(s)?", targets.len()),
            lines,
        }
    }

    pub fn remove_server(server: &Server, destinations: usize) -> Self {
        let lines = if destinations == 0 {
            vec![format!(
                "Forget {} ({}). Nothing on the host changes.",
                server.name, server.host
            )]
        } else {
            vec![
                format!(
                    "{} has {destinations} destination(s): delete them first to remove their networks.",
                    server.name
                ),
                "y forgets the server and all its records anyway (for a machine that is gone);"
                    .into(),
                "its networks and containers may remain on the host.".into(),
            ]
        };
        Confirm {
            kind: ConfirmKind::RemoveServer {
                server: server.uuid.clone(),
                force: destinations > 0,
            },
            title: format!("Remove server {}?", server.name),
            lines,
        }
    }

    pub fn add_local() -> Self {
        Confirm {
            kind: ConfirmKind::AddLocal,
            title: "No servers yet".into(),
            lines: vec![
                "This machine's Docker socket answers.".into(),
                "Add it as the first server, named `local`?".into(),
            ],
        }
    }
}
