//! Dialog state: forms built from `tui-input` fields, confirmations, the server check. A form
//! turns its fields into a task, refusing bad input inline (the domain's own validators) so
//! nothing is submitted that the CLI would refuse; what was typed is never lost. The
//! conversion of each form into its task is in `task`; the fields that choose rather than
//! take text (pickers and toggles) are in `choice`.

mod choice;
mod complete;
mod navigate;
mod report;
mod task;

pub use choice::{Candidate, Choice, Picker, TEXT_KEYS};
pub use navigate::FormKey;
pub use report::{DeleteCheck, Tone};

use tui_input::Input;

use crate::domain::{self, DestinationId, ResourceKind, Server, ServerId};
use crate::ops::DestinationView;

#[derive(Debug, Clone)]
pub enum Dialog {
    Form(Form),
    Confirm(Confirm),
    /// The live check of one server (uuid).
    ServerCheck {
        server: ServerId,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    AddServer,
    EditServer {
        server: ServerId,
    },
    CreateDestination {
        server: ServerId,
    },
    /// A destination's name and description.
    EditDestination {
        server: ServerId,
        destination: DestinationId,
    },
    NewResource {
        server: ServerId,
    },
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
    Ipv6,
    Subnet6,
    Mtu,
    Description,
    Kind,
    Destination,
    Image,
    Command,
    Predefined,
    Resource,
    Color,
    ReadOnly,
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
            FieldId::Ipv6 => "IPv6",
            FieldId::Subnet6 => "IPv6 subnet",
            FieldId::Mtu => "MTU",
            FieldId::Description => "Description",
            FieldId::Kind => "Kind",
            FieldId::Destination => "Destination",
            FieldId::Image => "Image",
            FieldId::Command => "Command",
            FieldId::Predefined => "Predefined",
            FieldId::Resource => "Resource",
            FieldId::Color => "Color",
            FieldId::ReadOnly => "Read-only",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub id: FieldId,
    /// What was typed: a text field's value, a pick's filter (unused by a cycle).
    pub input: Input,
    pub hint: String,
    pub choice: Choice,
}

impl Field {
    pub fn label(&self) -> &'static str {
        self.id.label()
    }

    /// The value: the trimmed text, the option, or the chosen candidate's label.
    pub fn value(&self) -> &str {
        match &self.choice {
            Choice::Text => self.input.value().trim(),
            Choice::Cycle { options, at } => options[*at],
            Choice::Pick(picker) => picker.chosen().map_or("", |c| c.label.as_str()),
        }
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
    /// Create form: `[network] fallback_pool`, which a Subnet of plain `auto` takes.
    fallback_pool: Option<String>,
    /// Server forms: the ssh config's Host aliases, which Tab completes in the Host field.
    aliases: Vec<String>,
    completion: Option<complete::Completion>,
    /// The focused field's list, while open (see `navigate`).
    open: Option<navigate::OpenList>,
}

const DESCRIPTION_HINT: &str = "optional: what it is for, one line (at most 500 characters)";

fn field(id: FieldId, value: &str, hint: impl Into<String>) -> Field {
    Field {
        id,
        input: Input::new(value.to_string()),
        hint: hint.into(),
        choice: Choice::Text,
    }
}

/// A field that chooses instead of taking text.
fn choosing(id: FieldId, choice: Choice, hint: &'static str) -> Field {
    Field {
        choice,
        ..field(id, "", hint)
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
            fallback_pool: None,
            aliases: Vec::new(),
            completion: None,
            open: None,
        }
    }

    /// `aliases`: the ssh config's Host aliases, for Tab to complete in the Host field.
    pub fn add_server(aliases: &[String]) -> Self {
        let mut form = Form::new(
            FormKind::AddServer,
            "Add server".into(),
            vec!["host `local` uses this machine's Docker socket".into()],
            server_fields(None),
        );
        form.aliases = aliases.to_vec();
        form
    }

    pub fn edit_server(server: &Server, aliases: &[String]) -> Self {
        let mut form = Form::new(
            FormKind::EditServer {
                server: server.uuid.clone(),
            },
            format!("Edit server {}", server.name),
            Vec::new(),
            server_fields(Some(server)),
        );
        form.aliases = aliases.to_vec();
        form
    }

    /// `fallback_pool`: the config's `[network] fallback_pool`, which a Subnet of `auto` takes.
    pub fn create_destination(server: &Server, fallback_pool: Option<&str>) -> Self {
        let network = domain::new_uuid();
        let mut form = Form::new(
            FormKind::CreateDestination {
                server: server.uuid.clone(),
            },
            format!("Create destination on {}", server.name),
            vec![format!(
                "server {} ({}), type from its mode: {}",
                server.name,
                match &server.address {
                    Some(ip) if *ip != server.host => format!("{} → {ip}", server.host),
                    _ => server.host.clone(),
                },
                server.mode
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
                field(FieldId::Subnet, "", subnet_hint(fallback_pool)),
                choosing(
                    FieldId::Internal,
                    Choice::toggle(false),
                    "yes: no outbound traffic",
                ),
                choosing(
                    FieldId::Ipv6,
                    Choice::toggle(false),
                    "yes: IPv6 addresses too",
                ),
                field(
                    FieldId::Subnet6,
                    "",
                    "optional, with IPv6 yes: a CIDR such as fd00:dead:beef::/64",
                ),
                field(FieldId::Mtu, "", "optional, e.g. 1450 on many clouds"),
                field(FieldId::Description, "", DESCRIPTION_HINT),
            ],
        );
        form.server_name = server.name.clone();
        form.fallback_pool = fallback_pool.map(String::from);
        form
    }

    pub fn edit_destination(d: &DestinationView) -> Self {
        Form::new(
            FormKind::EditDestination {
                server: d.server_uuid.clone(),
                destination: d.uuid.clone(),
            },
            format!("Edit {}", d.name),
            vec![
                format!("server {}", d.server_label()),
                format!("network {} (cannot change)", d.network),
            ],
            vec![
                field(FieldId::Name, &d.name, "unique across all destinations"),
                field(
                    FieldId::Description,
                    d.description.as_deref().unwrap_or(""),
                    DESCRIPTION_HINT,
                ),
            ],
        )
    }

    /// Deploy a resource on `server` to one of its `destinations`: chosen already when there
    /// is no choice, or when `preselected` (a uuid) is one of them.
    pub fn new_resource(
        server: &Server,
        destinations: &[DestinationView],
        preselected: Option<&str>,
    ) -> Self {
        let candidates = destinations.iter().map(Candidate::destination).collect();
        Form::new(
            FormKind::NewResource {
                server: server.uuid.clone(),
            },
            format!("New resource on {}", server.name),
            Vec::new(),
            vec![
                field(FieldId::Name, "", "unique across all resources"),
                choosing(
                    FieldId::Kind,
                    Choice::Cycle {
                        options: &ResourceKind::NAMES,
                        at: 0,
                    },
                    "what runs: an application, a database or a service stack",
                ),
                choosing(
                    FieldId::Destination,
                    Choice::Pick(Picker::new(candidates, preselected)),
                    "the network it joins",
                ),
                field(FieldId::Image, "", "e.g. nginx:1.27"),
                field(FieldId::Command, "", "optional, run with /bin/sh -c"),
                choosing(
                    FieldId::Predefined,
                    Choice::toggle(false),
                    "service: also join the destination's network",
                ),
            ],
        )
    }

    /// Clone one of `resources` (on the selected destination, the first chosen) onto one of
    /// `destinations`.
    pub fn clone_resource(resources: &[String], destinations: &[DestinationView]) -> Self {
        let resources: Vec<Candidate> = resources.iter().map(|r| Candidate::named(r)).collect();
        let chosen = (!resources.is_empty()).then_some(0);
        let destinations = destinations.iter().map(Candidate::destination).collect();
        Form::new(
            FormKind::CloneResource,
            "Clone resource".into(),
            Vec::new(),
            vec![
                choosing(
                    FieldId::Resource,
                    Choice::Pick(Picker {
                        items: resources,
                        chosen,
                    }),
                    "the resource to copy (from the selected destination)",
                ),
                choosing(
                    FieldId::Destination,
                    Choice::Pick(Picker::new(destinations, None)),
                    "where the copy runs",
                ),
                field(FieldId::Name, "", "empty: <name>-clone"),
            ],
        )
    }

    fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The value of field `id` (empty when the form has no such field, or nothing is chosen).
    pub fn value(&self, id: FieldId) -> &str {
        self.field(id).map_or("", Field::value)
    }

    /// The candidate chosen in pick `id`.
    pub fn chosen(&self, id: FieldId) -> Option<&Candidate> {
        match &self.field(id)?.choice {
            Choice::Pick(picker) => picker.chosen(),
            _ => None,
        }
    }

    /// A yes/no toggle.
    fn yes_no(&self, id: FieldId) -> bool {
        self.value(id) == "yes"
    }
}

/// What the Subnet field accepts: plain `auto` only when a fallback pool is configured.
fn subnet_hint(fallback_pool: Option<&str>) -> String {
    match fallback_pool {
        Some(pool) => format!(
            "optional: a CIDR (10.20.0.0/24), auto (a free /24 of {pool}) or auto:POOL"
        ),
        None => "optional: a CIDR (10.20.0.0/24), or auto:POOL for a free /24 of POOL (auto:10.201.0.0/16)".into(),
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
            "hostname, IP or ssh-config alias (Tab completes an alias)",
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
        choosing(
            FieldId::Color,
            Choice::Pick(color_picker(server.and_then(|s| s.color.as_deref()))),
            "tints its name, in Servers and in its destinations' SERVER cell",
        ),
        choosing(
            FieldId::ReadOnly,
            Choice::toggle(server.is_some_and(|s| s.read_only)),
            "yes: every change on it is refused",
        ),
    ]
}

/// `none`, the named colours, and the server's own `#rrggbb` when it has one.
fn color_picker(current: Option<&str>) -> Picker {
    let mut names: Vec<&str> = vec!["none"];
    names.extend(domain::COLOR_NAMES);
    if let Some(hex) = current.filter(|c| c.starts_with('#')) {
        names.push(hex);
    }
    Picker::new(
        names.into_iter().map(Candidate::named).collect(),
        Some(current.unwrap_or("none")),
    )
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConfirmKind {
    /// (server uuid, destination uuid) pairs.
    DeleteDestinations(Vec<(ServerId, DestinationId)>),
    RemoveServer {
        server: ServerId,
        force: bool,
    },
    AddLocal,
    /// Adopt what a sync of this server would (its preview is the dialog's lines).
    Sync(ServerId),
    /// Quit although changes are queued or running.
    Quit,
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub kind: ConfirmKind,
    pub title: String,
    pub lines: Vec<String>,
    /// A delete's dependency reports: `y` waits until they are in.
    pub check: Option<DeleteCheck>,
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
            check: Some(DeleteCheck::new(
                targets.iter().map(|d| d.uuid.clone()).collect(),
            )),
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
            check: None,
        }
    }

    /// Quitting with `changes` queued or running: the running ones are settled at the next
    /// start (their intents are stored); the queued ones never start.
    pub fn quit(changes: usize) -> Self {
        Confirm {
            kind: ConfirmKind::Quit,
            title: "Quit?".into(),
            lines: vec![
                format!("{changes} change(s) are queued or running; quit anyway?"),
                "Running ones will be settled at the next start; queued ones will not run.".into(),
            ],
            check: None,
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
            check: None,
        }
    }
}
