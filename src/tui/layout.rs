//! Where each pane goes, as a pure function of the screen size: render draws into these areas
//! and the app maps mouse clicks and page sizes with the same function.

use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub servers: Rect,
    pub destinations: Rect,
    pub scan: Rect,
    pub tasks: Rect,
    pub status: Rect,
    /// The Messages view, over all four panes.
    pub messages: Rect,
}

/// Lines the Servers pane keeps under its rows for the selected server's details.
pub const SERVER_DETAIL_LINES: u16 = 3;

/// Servers on the left; Destinations and Scan stacked on the right; Tasks as a strip at the
/// bottom; one status line. The strip grows a little on tall screens.
pub fn areas(screen: Rect) -> Areas {
    let tasks_height = if screen.height >= 36 { 8 } else { 5 };
    let [body, tasks, status] = Layout::vertical([
        Constraint::Min(6),
        Constraint::Length(tasks_height),
        Constraint::Length(1),
    ])
    .areas(screen);
    // Wide screens give Servers room for a host and its Docker socket.
    let left = (body.width * 36 / 100).clamp(24.min(body.width), 64);
    let [servers, right] =
        Layout::horizontal([Constraint::Length(left), Constraint::Min(10)]).areas(body);
    let [destinations, scan] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(right);
    Areas {
        servers,
        destinations,
        scan,
        tasks,
        status,
        messages: body.union(tasks),
    }
}

/// Data rows a table pane shows: its height less the borders and the header line.
pub fn table_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3))
}

/// Data rows of the Servers pane, which keeps lines for the selected server's details.
pub fn server_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3 + SERVER_DETAIL_LINES))
}
