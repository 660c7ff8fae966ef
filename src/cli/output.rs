//! What the command line prints, and the one sanitiser every printed string goes through
//! (DESIGN.md §9): characters a terminal would act on or hide (`domain::is_unsafe_char`)
//! print as `\u{…}` in text and as `\uXXXX` escapes in JSON, so a server can neither write
//! into the admin's terminal nor forge a table row.

use crate::domain::{Error, Warning, is_unsafe_char};
use crate::ops::Outcome;
use serde::Serialize;
use std::borrow::Cow;
use std::io::Write;

/// `text` with every unsafe character (newlines included) written as `\u{…}`: one cell or
/// one line that stays one.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like `safe`, line by line: the line breaks destui itself put in stay.
pub fn safe_lines(text: &str) -> String {
    text.split('\n').map(safe).collect::<Vec<_>>().join("\n")
}

/// Lines destui puts together, each escaped whole before they are joined: a line break that
/// came from a server inside one of them stays `\u{a}` and can never forge another line.
pub fn joined<S: AsRef<str>>(lines: &[S]) -> String {
    lines
        .iter()
        .map(|l| safe(l.as_ref()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which of a command's two outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Where a command's output goes when it runs for another destui (DESIGN.md §10): each write,
/// in order, to the connection that sends it back. Outside `forwarding`, output is this
/// process's own stdout and stderr.
pub type Sink = tokio::sync::mpsc::UnboundedSender<(Stream, Vec<u8>)>;

tokio::task_local! {
    static SINK: Sink;
    /// Turns true when the holder running a forwarded command is closing.
    static CLOSING: tokio::sync::watch::Receiver<bool>;
}

/// Runs `command` with its output sent to `sink` instead of this process's stdout and stderr;
/// `closing` turns true when the holder quits (a command that never ends on its own, such as
/// `watch`, ends then).
pub async fn forwarding<F: std::future::Future>(
    sink: Sink,
    closing: tokio::sync::watch::Receiver<bool>,
    command: F,
) -> F::Output {
    SINK.scope(sink, CLOSING.scope(closing, command)).await
}

/// Why output that never ends on its own (`watch`) should stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unheard {
    /// The forwarding client went away (its Ctrl-C).
    ClientGone,
    /// The destui holding the data directory is quitting.
    HolderClosing,
}

/// Resolves when this command's output no longer reaches anyone; never, for a command run in
/// its own process (its stdout is checked by `line`).
pub async fn unheard() -> Unheard {
    let sink = SINK.try_with(Clone::clone).ok();
    let closing = CLOSING.try_with(Clone::clone).ok();
    match (sink, closing) {
        (Some(sink), Some(mut closing)) => tokio::select! {
            _ = sink.closed() => Unheard::ClientGone,
            _ = closing.wait_for(|c| *c) => Unheard::HolderClosing,
        },
        (Some(sink), None) => {
            sink.closed().await;
            Unheard::ClientGone
        }
        _ => std::future::pending().await,
    }
}

/// Whether the command runs for another destui: it may not ask questions, having no terminal.
pub fn is_forwarded() -> bool {
    SINK.try_with(|_| ()).is_ok()
}

/// A question can be asked: this process's own terminal, not a forwarded command.
pub fn can_ask() -> bool {
    use std::io::IsTerminal;
    !is_forwarded() && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Writes `bytes`; false when nobody reads them any more (a closed pipe, a client gone).
fn write(stream: Stream, bytes: &[u8]) -> bool {
    if let Ok(sink) = SINK.try_with(Clone::clone) {
        // A client that went away takes its output with it; the command still finishes.
        return sink.send((stream, bytes.to_vec())).is_ok();
    }
    match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|()| out.flush())
        }
        Stream::Stderr => std::io::stderr().lock().write_all(bytes),
    }
    .is_ok()
}

/// One line of text on stdout.
pub fn say(text: &str) {
    line(text);
}

/// One line of text on stdout; false when nobody reads it any more.
pub fn line(text: &str) -> bool {
    write(Stream::Stdout, format!("{}\n", safe_lines(text)).as_bytes())
}

/// One JSON document on one line (JSON lines), escaped as `print_json` does; false when
/// nobody reads it any more.
pub fn json_line<T: Serialize>(value: &T) -> Result<bool, Error> {
    let mut text = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut text,
        SafeJson(serde_json::ser::CompactFormatter),
    );
    value
        .serialize(&mut serializer)
        .map_err(|e| Error::Io(e.to_string()))?;
    text.push(b'\n');
    Ok(write(Stream::Stdout, &text))
}

/// A block of text whose unsafe characters were already escaped cell by cell (tables).
pub fn say_block(text: &str) {
    write(Stream::Stdout, safe_lines(text).as_bytes());
}

/// Text on stderr as it is, with no line added (a prompt, or lines already escaped).
pub fn tell(text: &str) {
    write(Stream::Stderr, text.as_bytes());
}

pub fn warn(text: &str) {
    tell(&format!("warning: {}\n", safe(text)));
}

pub fn note(text: &str) {
    tell(&format!("note: {}\n", safe(text)));
}

/// The one line a refused or failed command ends with.
pub fn fail(text: &str) {
    tell(&format!("destui: {}\n", safe(text)));
}

pub fn warn_all(warnings: &[Warning]) {
    for w in warnings {
        warn(&w.to_string());
    }
}

pub fn print_json<T: Serialize>(value: &T) -> Result<(), Error> {
    let mut text = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut text,
        SafeJson(serde_json::ser::PrettyFormatter::new()),
    );
    value
        .serialize(&mut serializer)
        .map_err(|e| Error::Io(e.to_string()))?;
    text.push(b'\n');
    write(Stream::Stdout, &text);
    Ok(())
}

pub fn emit<T: Serialize>(
    json: bool,
    outcome: &Outcome<T>,
    text: impl FnOnce(&T) -> String,
) -> Result<(), Error> {
    warn_all(&outcome.warnings);
    if json {
        print_json(&outcome.value)
    } else {
        say(&text(&outcome.value));
        Ok(())
    }
}

/// A cell cut to `width` cells, ending in `…` when cut: the TUI's own cut, so both front ends
/// cut alike (the table escapes the cell after).
pub use crate::text::cut;

/// A text table: columns padded to their widest cell, every cell escaped.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| row.iter().map(|c| safe(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// serde_json's output (pretty, or compact for JSON lines), with the unsafe characters it leaves raw (DEL, C1 controls,
/// Unicode format characters, line separators) written as `\uXXXX`: still JSON, and the
/// parsed strings are exactly the originals.
struct SafeJson<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(is_unsafe_char) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// A dry run's plan (`--dry-run`, DESIGN.md §16): its steps as `would …` lines, or the JSON
/// document (`dry_run: true`, `steps`); its warnings on stderr. The exit code is 0: a change
/// the real run would refuse never becomes a plan (its refusal is the command's error).
pub fn print_plan(json: bool, plan: &crate::ops::Plan) -> Result<i32, Error> {
    for w in &plan.warnings {
        warn(&format!("(dry run) {w}"));
    }
    if json {
        print_json(plan)?;
        return Ok(0);
    }
    let mut lines = vec![format!("dry run: {}: nothing changed", plan.action)];
    if plan.steps.is_empty() {
        lines.push("  nothing to do".to_string());
    }
    lines.extend(plan.steps.iter().map(|s| format!("  would {s}")));
    lines.push(String::new());
    say_block(&joined(&lines));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_what_a_terminal_would_act_on() {
        assert_eq!(safe("web-1"), Cow::Borrowed("web-1"));
        assert_eq!(
            safe("evil\u{1b}]0;pwned\u{7}\nrow\u{202e}\u{200b}\u{7f}\u{85}"),
            "evil\\u{1b}]0;pwned\\u{7}\\u{a}row\\u{202e}\\u{200b}\\u{7f}\\u{85}"
        );
        assert_eq!(safe_lines("a\u{1b}\nb"), "a\\u{1b}\nb");
    }

    #[test]
    fn a_cell_can_never_forge_a_row() {
        let out = table(
            &["NETWORK", "DRIVER"],
            vec![vec!["x\nforged  bridge".into(), "bridge".into()]],
        );
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(out.contains("x\\u{a}forged"));
    }

    #[test]
    fn json_escapes_format_characters_and_stays_json() {
        let original = "n\u{1b}[31m\u{202e}\u{2028}\u{7f}\u{9b}\u{e0041}ok ü";
        let mut text = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut text,
            SafeJson(serde_json::ser::PrettyFormatter::new()),
        );
        serde_json::json!({ "network": original })
            .serialize(&mut ser)
            .unwrap();
        let text = String::from_utf8(text).unwrap();
        // The pretty printer's own line breaks are the only control characters left.
        assert!(
            !text.chars().any(|c| c != '\n' && is_unsafe_char(c)),
            "{text:?}"
        );
        assert!(text.contains("ok ü"), "ordinary text stays as it is");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["network"], original);
    }
}
