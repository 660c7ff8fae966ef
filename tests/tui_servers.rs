//! Issue 28 items 4 and 17: what the Servers pane says of a server before this run has reached
//! it, and server colours that never look like status colours. Through the pure `update` and
//! the `TestBackend` (the harness of `tui_fixture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod tui_fixture;

use destui::domain::{Error, Server, ServerMode};
use destui::ops::Outcome;
use destui::tasks::{Task, TaskEvent, TaskResult};
use destui::tui::app::{Action, update};
use destui::tui::render::render;
use destui::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use tui_fixture::{CHECKED, Harness, at, destinations, line_with, servers};

/// Start-up with the records of an earlier run: alpha was online, beta offline, gone never
/// checked. The start-up checks are submitted and running; none has answered.
fn restarted(width: u16, height: u16) -> (Harness, Vec<Server>) {
    let mut h = Harness::new(width, height);
    let load = h.submitted(|t| *t == Task::Load);
    let mut all = servers();
    all[1].online = true;
    all[1].checked_at = Some(CHECKED);
    all[1].docker_version = Some("20.10.24".into());
    all[0].online = false;
    all[0].checked_at = Some(CHECKED);
    all[0].last_error = Some("cannot reach beta (10.0.0.2): connection timed out".into());
    let dests = destinations(&all);
    h.finish(
        load,
        5,
        Ok(TaskResult::Loaded {
            servers: all.clone(),
            destinations: dests,
            resources: vec![],
        }),
    );
    (h, all)
}

/// The start-up check of `server`, started.
fn running_check(h: &mut Harness, server: &Server) -> u64 {
    let uuid = server.uuid.clone();
    let id = h.submitted(|t| {
        *t == Task::CheckServer {
            server: uuid.clone(),
        }
    });
    h.queue(id, 6);
    h.event(TaskEvent::Started { id, at: at(7) });
    id
}

#[test]
fn a_server_online_in_an_earlier_run_is_not_shown_online_until_it_answers() {
    let (mut h, all) = restarted(80, 24);
    let alpha_check = running_check(&mut h, &all[1]);
    let beta_check = running_check(&mut h, &all[0]);
    let screen = h.screen();
    // Neither the stored online nor the stored offline shows as the state of now.
    let alpha = line_with(&screen, "alpha ");
    assert!(alpha.contains("○ alpha"), "{alpha}\n{screen}");
    assert!(!screen.contains("● "), "nothing is online yet:\n{screen}");
    assert!(line_with(&screen, "beta ").contains("○ beta"), "{screen}");
    // alpha is selected (first by name): its details say what is going on and when it was
    // last seen, never `online`.
    assert!(
        screen.contains("connecting… · last seen") && screen.contains("2026-11-22 10:00 UTC"),
        "{screen}"
    );
    assert!(!screen.contains("online ·"), "{screen}");

    // The answers come: the real state shows.
    let mut alpha = all[1].clone();
    alpha.checked_at = Some(CHECKED + 60);
    h.finish(
        alpha_check,
        300,
        Ok(TaskResult::ServerChecked {
            server: alpha,
            error: None,
        }),
    );
    let mut beta = all[0].clone();
    beta.checked_at = Some(CHECKED + 60);
    let error = Error::Io("cannot reach beta (10.0.0.2): connection timed out".into());
    h.finish(
        beta_check,
        300,
        Ok(TaskResult::ServerChecked {
            server: beta,
            error: Some(error),
        }),
    );
    let screen = h.screen();
    assert!(line_with(&screen, "alpha ").contains("● alpha"), "{screen}");
    assert!(line_with(&screen, "beta ").contains("✗ beta"), "{screen}");
    assert!(screen.contains("online · Docker 20.10.24"), "{screen}");
    assert!(!screen.contains("last seen"), "{screen}");
}

#[test]
fn an_opened_event_stream_is_an_answer() {
    let (mut h, all) = restarted(80, 24);
    running_check(&mut h, &all[1]);
    let mut watching = tui_fixture::change(&all[1], "watching");
    watching.stream = Some(destui::ops::StreamState::Watching);
    update(&mut h.app, Action::Live(vec![watching], at(200)));
    let screen = h.screen();
    assert!(line_with(&screen, "alpha ").contains("● alpha"), "{screen}");
    assert!(screen.contains("events: live"), "{screen}");
}

/// The foreground colour of each cell of the screen's first row holding `needle`, from
/// `needle` on, as (text, colour) runs.
fn colours_from(h: &Harness, needle: &str) -> Vec<(String, Color)> {
    let mut terminal =
        Terminal::new(TestBackend::new(h.app.size.width, h.app.size.height)).expect("terminal");
    terminal
        .draw(|f| render(f, &h.app, at(1000)))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let width = usize::from(buffer.area.width);
    let row = buffer
        .content()
        .chunks(width)
        .find(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .contains(needle)
        })
        .unwrap_or_else(|| panic!("no row with {needle}"));
    let text: String = row.iter().map(|c| c.symbol()).collect();
    let start = text[..text.find(needle).unwrap_or(0)].chars().count();
    let mut runs: Vec<(String, Color)> = Vec::new();
    for c in &row[start..] {
        match runs.last_mut() {
            Some((text, fg)) if *fg == c.fg => text.push_str(c.symbol()),
            _ => runs.push((c.symbol().to_string(), c.fg)),
        }
    }
    runs
}

#[test]
fn a_green_servers_destinations_do_not_look_ok() {
    let mut h = tui_fixture::Harness::loaded(120, 40);
    h.app.theme = Theme::new(&Default::default(), false);
    let ok = h.app.theme.ok.fg;
    for s in &mut h.app.servers {
        s.color = match s.name.as_str() {
            "alpha" => Some("green".into()),
            "beta" => Some("red".into()),
            _ => None,
        };
    }
    assert_eq!(ok, Some(Color::Green), "the theme's ok colour");
    for (destination, server, colour) in [
        ("alpha-web", "alpha", Color::Green),
        ("beta-stack", "beta", Color::Red),
    ] {
        let runs = colours_from(&h, destination);
        // The destination's own cells carry no server colour (status colours own them)…
        let name = runs
            .iter()
            .find(|(text, _)| text.contains(destination))
            .unwrap_or_else(|| panic!("{destination} in {runs:?}"));
        assert_eq!(name.1, Color::Reset, "{destination} untinted: {runs:?}");
        // …the server's name is tinted, so the row still tells whose it is.
        assert!(
            runs.iter()
                .any(|(text, fg)| text.trim() == server && *fg == colour),
            "{server} tinted {colour}: {runs:?}"
        );
    }
}

#[test]
fn a_server_added_and_checked_here_shows_its_state_at_once() {
    let mut h = Harness::loaded(80, 24);
    let mut added = tui_fixture::server("s-delta", "delta", "10.0.0.4", ServerMode::Standalone);
    added.online = true;
    added.checked_at = Some(CHECKED + 600);
    h.finish(
        9300,
        900,
        Ok(TaskResult::ServerAdded(Outcome {
            value: added.clone(),
            warnings: vec![],
        })),
    );
    let reload = h.submitted(|t| *t == Task::Load);
    let mut all = servers();
    for s in &mut all {
        s.checked_at = Some(CHECKED);
        s.online = s.name != "gone";
    }
    all.push(added);
    let dests = destinations(&all);
    h.finish(
        reload,
        950,
        Ok(TaskResult::Loaded {
            servers: all,
            destinations: dests,
            resources: vec![],
        }),
    );
    let screen = h.screen();
    assert!(line_with(&screen, "delta").contains("● delta"), "{screen}");
    assert!(line_with(&screen, "alpha ").contains("● alpha"), "{screen}");
}
