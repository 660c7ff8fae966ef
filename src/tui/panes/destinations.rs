use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::{block, header, inner_width, marker, row_style};
use crate::ops::HealthStatus;
use crate::tui::app::{App, Pane};
use crate::tui::layout::table_rows;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let mut title = if app.scoped {
        match app.selected_server() {
            Some(s) => format!("Destinations on {}", s.name),
            None => "Destinations".into(),
        }
    } else {
        "Destinations".into()
    };
    if app.unused_only {
        title = title.replacen("Destinations", "Unused destinations", 1);
    }
    let mut count = app.visible_destinations.len().to_string();
    if !app.marked.is_empty() {
        count.push_str(&format!(", {} marked", app.marked.len()));
    }
    let outer = block(app, Pane::Destinations, &title, count);
    if app.visible_destinations.is_empty() {
        let text = if app.loading {
            "loading…"
        } else if app.destinations.is_empty() {
            "none yet: a creates one, s scans a server to import its networks"
        } else if app.unused_only {
            "none unused among the checked ones (u: all destinations)"
        } else {
            "none match (v: all servers / selected server, Esc clears a filter)"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, app.theme.dim))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(outer),
            area,
        );
        return;
    }
    let cursor = app.cursor(Pane::Destinations);
    let show_server = !app.scoped;
    let wide = inner_width(area) >= 70;
    let rows = app
        .visible_destinations
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(table_rows(area))
        .map(|(i, &index)| {
            let d = &app.destinations[index];
            let selected = i == cursor.selected;
            let health = app.health.get(&d.uuid);
            let status = health.map_or("", |h| match h.status {
                HealthStatus::Ok if h.unused => "ok, unused",
                status => status.as_str(),
            });
            let status_style = match health.map(|h| h.status) {
                Some(HealthStatus::Ok) => app.theme.ok,
                Some(_) => app.theme.error,
                None => app.theme.dim,
            };
            let mut cells = vec![
                Line::from(marker(selected)),
                Line::from(if app.marked.contains(&d.uuid) {
                    "*"
                } else {
                    " "
                }),
                Line::from(d.name.as_str()),
                Line::from(d.network.as_str()),
            ];
            if show_server {
                cells.push(Line::from(d.server.as_str()));
            }
            cells.push(Line::from(d.kind.as_str()));
            if wide {
                cells.push(Line::from(Span::styled(status, status_style)));
            }
            Row::new(cells).style(row_style(app, Pane::Destinations, selected))
        });
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(3),
        Constraint::Fill(2),
    ];
    let mut titles = vec!["", "", "NAME", "NETWORK"];
    if show_server {
        widths.push(Constraint::Fill(1));
        titles.push("SERVER");
    }
    widths.push(Constraint::Length(10));
    titles.push("TYPE");
    if wide {
        widths.push(Constraint::Length(14));
        titles.push("CHECK");
    }
    let table = Table::new(rows, widths)
        .header(header(app, titles))
        .column_spacing(1)
        .block(outer);
    frame.render_widget(table, area);
}
