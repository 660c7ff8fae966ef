//! Issue 28 item 9: columns use the width. Widths are shared out by content (a column is never
//! wider than its longest cell while another is cut), CHECK stays down to 60x20, every cut
//! shows `…`, and a list with rows off screen says so. Through the pure `update` and the
//! `TestBackend` (the harness of `tui_fixture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod tui_fixture;

use crossterm::event::KeyCode;
use destui::ops::HealthStatus;
use destui::tasks::TaskResult;
use ratatui::layout::Rect;
use tui_fixture::{CHECKED, Harness, check_row, destination, destinations, line_with, servers};

const SIZES: [(u16, u16); 4] = [(60, 20), (80, 24), (120, 40), (200, 50)];

/// The fixture with `extra` more destinations on alpha named `names`, every destination
/// checked (one proxy-detached), focus on Destinations.
fn listed(width: u16, height: u16, names: &[String]) -> Harness {
    let mut h = Harness::loaded(width, height);
    let all: Vec<_> = servers()
        .into_iter()
        .map(|mut s| {
            s.checked_at = Some(CHECKED);
            s.online = s.name != "gone";
            if !s.online {
                s.last_error = Some("cannot reach gone (192.0.2.9): connection timed out".into());
            }
            s
        })
        .collect();
    let mut dests = destinations(&all);
    for (i, name) in names.iter().enumerate() {
        dests.push(destination(&format!("d-x{i}"), name, name, &all[1]));
    }
    for (i, d) in dests.iter().enumerate() {
        let status = if i == 1 {
            HealthStatus::ProxyDetached
        } else {
            HealthStatus::Ok
        };
        let row = check_row(d.uuid.as_str(), &d.name, status, 1);
        h.app.health.insert(d.uuid.clone(), row);
    }
    h.finish(
        9100,
        900,
        Ok(TaskResult::Loaded {
            servers: all,
            destinations: dests,
            resources: vec![],
        }),
    );
    h.effects.clear();
    h.key(KeyCode::Tab);
    h
}

fn long_names() -> Vec<String> {
    let stem = "payments-".repeat(11);
    vec![
        format!("{}-east", &stem[..95]),
        format!("{}-west", &stem[..95]),
    ]
}

/// The characters of each line of `screen` inside `area`'s borders.
fn inner_lines(screen: &str, area: Rect) -> Vec<Vec<char>> {
    screen
        .lines()
        .skip(usize::from(area.y) + 1)
        .take(usize::from(area.height.saturating_sub(2)))
        .map(|l| {
            // Each line of the test backend's text is quoted.
            let l = l.strip_prefix('"').unwrap_or(l);
            l.chars()
                .skip(usize::from(area.x) + 1)
                .take(usize::from(area.width.saturating_sub(2)))
                .collect()
        })
        .collect()
}

/// A headed table in `area`: each titled column's title, and its cells (header first) as
/// wide as the column is drawn (from its title to the next column's title less the two
/// blanks between them).
fn columns(screen: &str, area: Rect) -> Vec<(String, Vec<String>)> {
    let lines = inner_lines(screen, area);
    let header = &lines[0];
    let starts: Vec<usize> = (0..header.len())
        .filter(|&i| header[i] != ' ' && (i == 0 || header[i - 1] == ' '))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            // Columns are two blanks apart: the spacing and the column's own pad.
            let end = starts.get(k + 1).map_or(header.len(), |&next| next - 2);
            let cells: Vec<String> = lines
                .iter()
                .map(|l| l[start.min(l.len())..end.min(l.len())].iter().collect())
                .collect();
            let title = cells[0].trim().to_string();
            (title, cells)
        })
        .collect()
}

/// No cell of the table in `area` is cut (ends in `…`) while a column is wider than its
/// longest cell.
fn assert_no_cut_beside_spare_room(screen: &str, area: Rect, what: &str) {
    let columns = columns(screen, area);
    let cut: Vec<&String> = columns
        .iter()
        .flat_map(|(_, cells)| cells)
        .filter(|c| c.trim_end().ends_with('…'))
        .collect();
    if cut.is_empty() {
        return;
    }
    for (title, cells) in &columns {
        let width = cells[0].chars().count();
        let longest = cells
            .iter()
            .map(|c| c.trim_end().chars().count())
            .max()
            .unwrap_or(0);
        assert!(
            longest >= width,
            "{what}: {title} is {width} wide for cells of {longest} while {cut:?} are cut:\n{screen}"
        );
    }
}

#[test]
fn check_stays_at_every_size_down_to_60x20() {
    for (width, height) in SIZES {
        for names in [vec![], long_names()] {
            let h = listed(width, height, &names);
            let screen = h.screen();
            let titles: Vec<String> = columns(&screen, h.app.areas().destinations)
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            let what = format!("{width}x{height}");
            assert!(
                titles.contains(&"CHECK".to_string()),
                "{what}: {titles:?}\n{screen}"
            );
            // The check shows, cut with a mark at most.
            let db = line_with(&screen, "alpha-db");
            assert!(db.contains("proxy-"), "{what}: {db}");
        }
    }
}

#[test]
fn no_cell_is_cut_while_another_column_has_room() {
    let mut snapshots = Vec::new();
    for (width, height) in SIZES {
        for (case, names) in [("short", vec![]), ("long", long_names())] {
            let h = listed(width, height, &names);
            let screen = h.screen();
            let what = format!("{width}x{height} {case}");
            let areas = h.app.areas();
            assert_no_cut_beside_spare_room(&screen, areas.destinations, &what);
            assert_no_cut_beside_spare_room(&screen, areas.servers, &what);
            if case == "long" {
                snapshots.push((format!("{width}x{height}_columns"), screen));
            }
        }
    }
    for (name, screen) in snapshots {
        insta::assert_snapshot!(name, screen);
    }
}

#[test]
fn the_tasks_server_column_is_as_wide_as_its_names() {
    for (width, height) in SIZES {
        let h = Harness::loaded(width, height);
        let screen = h.screen();
        // The longest server name (alpha) fills its column; two blanks, then the label.
        let row = line_with(&screen, "done    alpha");
        assert!(row.contains("alpha  check"), "{width}x{height}: {row}");
        let row = line_with(&screen, "failed  gone");
        assert!(row.contains("gone   check"), "{width}x{height}: {row}");
    }
}

#[test]
fn a_list_with_rows_off_screen_says_so_in_its_border() {
    let names: Vec<String> = (0..4).map(|i| format!("alpha-extra-{i}")).collect();
    let mut h = listed(80, 24, &names);
    let areas = h.app.areas();
    let bottom = |h: &Harness| {
        let screen = h.screen();
        let line = screen
            .lines()
            .nth(usize::from(areas.destinations.bottom() - 1));
        line.unwrap_or_default().to_string()
    };
    // 7 destinations, 6 rows: the bottom border says one more is below.
    let line = bottom(&h);
    assert!(line.contains("↓ 1 more"), "{line}\n{}", h.screen());
    h.key(KeyCode::Char('G'));
    let line = bottom(&h);
    assert!(line.contains("↑ 1 more") && !line.contains('↓'), "{line}");
}

#[test]
fn a_long_server_detail_ends_in_a_mark() {
    let mut h = listed(80, 24, &[]);
    let areas = h.app.areas();
    // gone's error takes more lines than the details have: the last one shown ends in `…`.
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('G'));
    let screen = h.screen();
    let detail: Vec<String> = inner_lines(&screen, areas.servers)
        .into_iter()
        .map(|l| l.into_iter().collect::<String>())
        .collect();
    let last = detail.last().map(|l| l.trim_end()).unwrap_or_default();
    assert!(
        detail.iter().any(|l| l.contains("error: cannot")),
        "{screen}"
    );
    assert!(last.ends_with('…'), "cut with a mark: {last:?}\n{screen}");
}
