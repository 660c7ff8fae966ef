use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::{block, header, inner_width, marker, row_style};
use crate::tui::app::{App, Pane, ScanState};
use crate::tui::layout::table_rows;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(scan) = &app.scan else {
        let outer = block(app, Pane::Scan, "Scan", String::new());
        frame.render_widget(
            Paragraph::new(Span::styled(
                "s scans the selected server's networks",
                app.theme.dim,
            ))
            .block(outer),
            area,
        );
        return;
    };
    let server = app.server_name(&scan.server);
    let mut count = format!("{} networks", app.visible_scan.len());
    if !scan.checked.is_empty() {
        count.push_str(&format!(", {} checked", scan.checked.len()));
    }
    if scan.state == ScanState::Loading {
        count.push_str(", scanning…");
    }
    let outer = block(app, Pane::Scan, &format!("Scan {server}"), count);
    if let ScanState::Failed(error) = &scan.state
        && scan.rows.is_empty()
    {
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!("scan failed: {error}"),
                app.theme.error,
            ))
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(outer),
            area,
        );
        return;
    }
    if scan.rows.is_empty() {
        let text = if scan.state == ScanState::Loading {
            "scanning…"
        } else {
            "no networks besides Docker's own"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, app.theme.dim)).block(outer),
            area,
        );
        return;
    }
    let cursor = app.cursor(Pane::Scan);
    let wide = inner_width(area) >= 64;
    let rows = app
        .visible_scan
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(table_rows(area))
        .map(|(i, &index)| {
            let r = &scan.rows[index];
            let selected = i == cursor.selected;
            let checkbox = if !r.importable {
                " - "
            } else if scan.checked.contains(&r.id) {
                "[x]"
            } else {
                "[ ]"
            };
            let status = match (&r.reason, r.unused) {
                (Some(reason), _) => reason.clone(),
                (None, true) => "importable, unused".into(),
                (None, false) => "importable".into(),
            };
            let mut cells = vec![
                Line::from(marker(selected)),
                Line::from(checkbox),
                Line::from(r.network.as_str()),
                Line::from(r.driver.as_str()),
            ];
            if wide {
                cells.push(Line::from(r.scope.as_str()));
                cells.push(Line::from(r.containers.len().to_string()));
            }
            cells.push(Line::from(Span::styled(
                status,
                if r.importable {
                    app.theme.ok
                } else {
                    app.theme.dim
                },
            )));
            Row::new(cells).style(row_style(app, Pane::Scan, selected))
        });
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(7),
    ];
    let mut titles = vec!["", "", "NETWORK", "DRIVER"];
    if wide {
        widths.push(Constraint::Length(6));
        widths.push(Constraint::Length(4));
        titles.push("SCOPE");
        titles.push("CTRS");
    }
    widths.push(Constraint::Min(13));
    titles.push("IMPORT");
    let table = Table::new(rows, widths)
        .header(header(app, titles))
        .column_spacing(1)
        .block(outer);
    frame.render_widget(table, area);
}
