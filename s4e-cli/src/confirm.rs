//! Deletes ask first: on a terminal the user types the ID (or passes
//! `--yes`); off a terminal, without `--yes`, nothing is deleted (exit 2).

use std::io::{BufRead, IsTerminal, Write};

use crate::exit::Failure;

/// Returns when the deletion of `what` (`asset a-1001`) with ID `id` may go
/// ahead.
pub(crate) fn delete(what: &str, id: &str, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Failure::Usage(format!(
            "not deleting {what} without confirmation: pass --yes (standard input is not a terminal to ask on)"
        )));
    }
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "Delete {what}? Type its ID ({id}) to confirm: ")
        .and_then(|()| stderr.flush())
        .map_err(|e| Failure::file("asking for confirmation", e))?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::file("reading the confirmation", e))?;
    if answer.trim() == id {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "not deleting {what}: the answer was not its ID"
        )))
    }
}
