//! Render cost with a big inventory: `cargo run --release --example tui_frame_time`.
//! Builds the app state with 10,000 destinations over 50 servers (through `update`, as the
//! real loop does), then renders frames into an in-memory terminal at 120x40 and 80x24 while
//! moving the selection, and prints the time per frame; then the same with 200 servers whose
//! start-up checks land between the keys (DESIGN.md §13).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use destui::domain::{Destination, DestinationType, Server, ServerMode};
use destui::ops::DestinationView;
use destui::tasks::{TaskEvent, TaskResult};
use destui::tui::app::{Action, App, Effect, update};
use destui::tui::keymap::Keymap;
use destui::tui::render::render;
use destui::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

const DESTINATIONS: usize = 10_000;
const SERVERS: usize = 50;
/// Frames per size, unless given as the first argument.
const FRAMES: u32 = 500;

fn main() {
    let frames_wanted: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(FRAMES)
        .max(1);
    let servers: Vec<Server> = (0..SERVERS)
        .map(|i| Server {
            uuid: format!("server-{i:03}").into(),
            name: format!("srv{i:03}"),
            host: format!("10.0.{i}.1"),
            port: Some(22),
            user: Some("root".into()),
            identity: None,
            docker_socket: "/var/run/docker.sock".into(),
            local: false,
            build_server: false,
            proxy_container: "coolify-proxy".into(),
            mode: ServerMode::Standalone,
            online: true,
            last_error: None,
            checked_at: Some(1_795_341_600),
            docker_version: Some("20.10.24".into()),
            address: None,
            color: None,
            read_only: false,
        })
        .collect();
    let destinations: Vec<DestinationView> = (0..DESTINATIONS)
        .map(|i| {
            let server = &servers[i % SERVERS];
            DestinationView::new(
                &Destination {
                    uuid: format!("dest-{i:05}").into(),
                    name: format!("{}-app-{i:05}", server.name),
                    network: format!("net{i:05}"),
                    network_id: format!("{i:064}"),
                    server_uuid: server.uuid.clone(),
                    kind: DestinationType::Standalone,
                    created_at: 1_795_341_600,
                    description: None,
                    original_name: None,
                    options: Default::default(),
                },
                Some(server),
            )
        })
        .collect();

    // What the TUI's first load costs with this inventory in a real (temporary) sled store.
    let dir = std::env::temp_dir().join(format!("destui-frame-time-{}", std::process::id()));
    let store = destui::store::Store::open(&dir).expect("store");
    for s in &servers {
        store.save_server(s).expect("server");
    }
    let records: Vec<Destination> = destinations
        .iter()
        .map(|d| Destination {
            uuid: d.uuid.clone(),
            name: d.name.clone(),
            network: d.network.clone(),
            network_id: d.network_id.clone(),
            server_uuid: d.server_uuid.clone(),
            kind: d.kind,
            created_at: 1_795_341_600,
            description: None,
            original_name: None,
            options: Default::default(),
        })
        .collect();
    store.insert_destinations(&records).expect("destinations");
    let ops = destui::ops::Ops::new(
        store,
        destui::remote::RemoteConfig::for_tests(dir.join("rt")),
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for round in 1..=3 {
        let t = Instant::now();
        let (s, d) = runtime.block_on(async {
            (
                ops.servers().await.expect("servers"),
                ops.destinations(None).await.expect("destinations"),
            )
        });
        println!(
            "store load {round}: {} servers + {} destinations in {:.1} ms",
            s.len(),
            d.len(),
            ms(t.elapsed())
        );
    }
    drop(ops);
    let _ = std::fs::remove_dir_all(&dir);

    for (width, height) in [(120, 40), (80, 24)] {
        let mut app = App::new(
            Keymap::default(),
            Theme::new(&Default::default(), false),
            Rect::new(0, 0, width, height),
            Instant::now(),
        );
        let load = app
            .start()
            .into_iter()
            .find_map(|e| match e {
                Effect::Submit(id, destui::tasks::Task::Load) => Some(id),
                _ => None,
            })
            .expect("a load at start");
        let started = Instant::now();
        update(
            &mut app,
            Action::Task(TaskEvent::Finished {
                id: load,
                at: Instant::now(),
                result: Ok(TaskResult::Loaded {
                    servers: servers.clone(),
                    destinations: destinations.clone(),
                    resources: vec![],
                }),
            }),
        );
        let load_time = started.elapsed();
        update(&mut app, key(KeyCode::Tab));

        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let mut frames: Vec<Duration> = Vec::with_capacity(frames_wanted as usize);
        for n in 0..frames_wanted {
            // Move through the list: down mostly, a jump to the bottom and back now and then.
            let k = match n % 100 {
                50 => KeyCode::Char('G'),
                99 => KeyCode::Char('g'),
                _ => KeyCode::Char('j'),
            };
            let t = Instant::now();
            update(&mut app, key(k));
            terminal
                .draw(|f| render(f, &app, Instant::now()))
                .expect("draw");
            frames.push(t.elapsed());
        }
        frames.sort();
        let mean = frames.iter().sum::<Duration>() / frames_wanted;
        println!(
            "{width}x{height}: {DESTINATIONS} destinations on {SERVERS} servers; applying the load {:.2} ms; \
             key + frame mean {:.3} ms, median {:.3} ms, p99 {:.3} ms, max {:.3} ms ({frames_wanted} frames)",
            ms(load_time),
            ms(mean),
            ms(frames[frames.len() / 2]),
            ms(frames[frames.len() * 99 / 100]),
            ms(frames[frames.len() - 1]),
        );
    }
    checks_landing(&destinations, frames_wanted);
}

/// 200 servers that answer their start-up checks one by one while keys come in: the time
/// from each key (after the answer that landed before it) to its frame.
fn checks_landing(destinations: &[DestinationView], frames_wanted: u32) {
    const MANY: usize = 200;
    let servers: Vec<Server> = (0..MANY)
        .map(|i| Server {
            uuid: format!("many-{i:03}").into(),
            name: format!("many{i:03}"),
            host: format!("many-{i}"),
            port: None,
            user: None,
            identity: None,
            docker_socket: "/var/run/docker.sock".into(),
            local: false,
            build_server: false,
            proxy_container: "coolify-proxy".into(),
            mode: ServerMode::Unknown,
            online: false,
            last_error: None,
            checked_at: None,
            docker_version: None,
            address: None,
            color: None,
            read_only: false,
        })
        .collect();
    let mut app = App::new(
        Keymap::default(),
        Theme::new(&Default::default(), false),
        Rect::new(0, 0, 120, 40),
        Instant::now(),
    );
    let load = app
        .start()
        .into_iter()
        .find_map(|e| match e {
            Effect::Submit(id, destui::tasks::Task::Load) => Some(id),
            _ => None,
        })
        .expect("a load at start");
    let checks: Vec<(u64, destui::domain::ServerId)> = update(
        &mut app,
        Action::Task(TaskEvent::Finished {
            id: load,
            at: Instant::now(),
            result: Ok(TaskResult::Loaded {
                servers: servers.clone(),
                destinations: destinations.to_vec(),
                resources: vec![],
            }),
        }),
    )
    .into_iter()
    .filter_map(|e| match e {
        Effect::Submit(id, destui::tasks::Task::CheckServer { server }) => Some((id, server)),
        _ => None,
    })
    .collect();
    assert_eq!(checks.len(), MANY, "the load checks every server");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut frames: Vec<Duration> = Vec::new();
    for n in 0..frames_wanted.max(MANY as u32) {
        let t = Instant::now();
        if let Some((id, uuid)) = checks.get(n as usize) {
            let mut server = servers
                .iter()
                .find(|s| &s.uuid == uuid)
                .cloned()
                .expect("server");
            let silent = n % 10 == 7;
            server.online = !silent;
            server.mode = ServerMode::Standalone;
            server.checked_at = Some(1_795_341_600);
            let error =
                silent.then(|| "ssh to many timed out: connected, but no answer".to_string());
            server.last_error = error.clone();
            for event in [
                TaskEvent::Queued {
                    id: *id,
                    at: Instant::now(),
                },
                TaskEvent::Started {
                    id: *id,
                    at: Instant::now(),
                },
                TaskEvent::Finished {
                    id: *id,
                    at: Instant::now(),
                    result: Ok(TaskResult::ServerChecked {
                        server,
                        error: error.map(destui::domain::Error::Io),
                    }),
                },
            ] {
                update(&mut app, Action::Task(event));
            }
        }
        update(
            &mut app,
            key(if n % 50 == 49 {
                KeyCode::Char('g')
            } else {
                KeyCode::Char('j')
            }),
        );
        terminal
            .draw(|f| render(f, &app, Instant::now()))
            .expect("draw");
        frames.push(t.elapsed());
    }
    frames.sort();
    let count = frames.len();
    println!(
        "{MANY} servers, checks landing, 120x40: answer + key + frame mean {:.3} ms, p99 {:.3} ms, max {:.3} ms ({count} frames)",
        ms(frames.iter().sum::<Duration>() / count as u32),
        ms(frames[count * 99 / 100]),
        ms(frames[count - 1]),
    );
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
