//! Keys inside a dialog, and what a confirmed dialog or a submitted form asks for.

use crossterm::event::{KeyCode, KeyEvent};

use super::pending::Waiter;
use super::*;
use crate::tui::dialog::{Confirm, ConfirmKind, Dialog, FormKey};

impl App {
    /// Closes the dialog; whatever it waited for no longer shows there.
    pub(super) fn close_dialog(&mut self) {
        self.dialog = None;
        self.forget(&Waiter::Form);
        self.forget(&Waiter::CheckDialog);
        self.forget_reports();
    }

    /// Closes the details view; whatever it waited for no longer shows there.
    pub(super) fn close_details(&mut self) {
        self.details = None;
        self.details_scroll = 0;
        self.forget(&Waiter::Details);
    }
}

pub(super) fn on_dialog_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = app.dialog.as_mut() else {
        return Vec::new();
    };
    match dialog {
        Dialog::ServerCheck { server } => {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                app.close_dialog();
            } else {
                // Never swallowed unseen: the key is refused with what the box answers.
                let server = server.clone();
                let name = app.server_name(&server);
                app.complain(format!(
                    "the check of {name} is open: Esc closes it (the check goes on in Tasks)"
                ));
            }
            Vec::new()
        }
        Dialog::Confirm(confirm) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y')
                if confirm.check.as_ref().is_some_and(|c| !c.done()) =>
            {
                if let Some(check) = confirm.check.as_mut() {
                    check.confirmed_early = true;
                }
                app.say(
                    "checking dependants… deleting as soon as the report is in, unless it has something to show (Esc cancels)",
                );
                Vec::new()
            }
            // A delete every report refuses asks nothing: only Esc (or n) closes it.
            KeyCode::Char('y') | KeyCode::Char('Y')
                if confirm.check.as_ref().is_some_and(|c| c.all_refused()) =>
            {
                Vec::new()
            }
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let kind = without_refused(confirm);
                app.close_dialog();
                confirmed(app, kind)
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                app.close_dialog();
                Vec::new()
            }
            _ => {
                let answers = match &confirm.check {
                    Some(check) => check.keys(),
                    None => "y yes · n no".into(),
                };
                let said = format!("{} answers only: {answers}", confirm.title);
                app.complain(said);
                Vec::new()
            }
        },
        Dialog::Form(form) => match form.on_key(key) {
            FormKey::Cancel => {
                app.close_dialog();
                Vec::new()
            }
            FormKey::Save => submit_form(app),
            FormKey::Handled => Vec::new(),
        },
    }
}

/// Enter in a form: its task is submitted and the form waits for it, or it shows what to fix.
fn submit_form(app: &mut App) -> Vec<Effect> {
    if app.form_waiting() {
        return Vec::new();
    }
    let Some(Dialog::Form(form)) = &app.dialog else {
        return Vec::new();
    };
    let task = form.task(&app.destinations);
    match task {
        Err(message) => {
            if let Some(Dialog::Form(form)) = &mut app.dialog {
                form.error = Some(message);
            }
            Vec::new()
        }
        Ok(task) => {
            let effect = app.submit_for(task, Waiter::Form);
            if let Some(Dialog::Form(form)) = &mut app.dialog {
                form.error = None;
            }
            vec![effect]
        }
    }
}

impl App {
    /// A dependency report came in: a delete confirmed before the reports were in goes ahead
    /// once they all are and tell nothing; if they tell something, it waits for `y` again.
    pub(super) fn report_in(&mut self) -> Vec<Effect> {
        let Some(Dialog::Confirm(confirm)) = &mut self.dialog else {
            return Vec::new();
        };
        let Some(check) = confirm.check.as_mut() else {
            return Vec::new();
        };
        if !check.done() || !check.confirmed_early {
            return Vec::new();
        }
        check.confirmed_early = false;
        if check.all_refused() {
            self.complain("the delete would be refused: the dialog says why (Esc closes)");
            return Vec::new();
        }
        if !check.clear() {
            self.complain("the dependency report has something to show: read it, then y deletes (Esc cancels)");
            return Vec::new();
        }
        let kind = without_refused(confirm);
        self.close_dialog();
        confirmed(self, kind)
    }
}

/// What a confirmation confirms: a delete leaves out the destinations its reports refuse.
fn without_refused(confirm: &Confirm) -> ConfirmKind {
    let refused = confirm
        .check
        .as_ref()
        .map(|c| c.refused())
        .unwrap_or_default();
    match &confirm.kind {
        ConfirmKind::DeleteDestinations(targets) => ConfirmKind::DeleteDestinations(
            (targets.iter())
                .filter(|(_, d)| !refused.contains(d))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    }
}

fn confirmed(app: &mut App, kind: ConfirmKind) -> Vec<Effect> {
    match kind {
        ConfirmKind::DeleteDestinations(targets) => {
            app.say(format!("deleting {} destination(s)…", targets.len()));
            targets
                .into_iter()
                .map(|(server, destination)| {
                    app.submit(Task::DeleteDestination {
                        server,
                        destination,
                        force: false,
                    })
                })
                .collect()
        }
        ConfirmKind::RemoveServer { server, force } => {
            vec![app.submit(Task::RemoveServer { server, force })]
        }
        ConfirmKind::Quit => vec![Effect::Quit],
        ConfirmKind::Sync(server) => super::sync::confirmed(app, server),
        ConfirmKind::AddLocal => vec![app.submit(Task::AddServer(crate::ops::NewServer {
            name: "local".into(),
            local: true,
            check: true,
            ..Default::default()
        }))],
    }
}
