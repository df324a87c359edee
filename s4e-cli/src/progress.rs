//! Progress bars on stderr, drawn only on a terminal and without `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::context::Context;

fn bar(ctx: &Context, len: Option<u64>, template: &str) -> ProgressBar {
    if !ctx.progress {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// A scan's or run's percent, with its phase as the message.
pub(crate) fn percent(ctx: &Context, prefix: &str) -> ProgressBar {
    let bar = bar(ctx, Some(100), "{prefix} [{bar:30}] {pos:>3}% {msg}");
    bar.set_prefix(prefix.to_owned());
    bar
}

/// Pages fetched of the total, once the first page has told it.
pub(crate) fn pages(ctx: &Context) -> ProgressBar {
    bar(ctx, None, "pages [{bar:30}] {pos}/{len} {msg}")
}

/// Bytes written, the total unknown.
pub(crate) fn bytes(ctx: &Context) -> ProgressBar {
    bar(ctx, None, "{spinner} {bytes} written ({bytes_per_sec})")
}

/// A spinner with the latest status, for waits without a percent.
pub(crate) fn status(ctx: &Context, prefix: &str) -> ProgressBar {
    let bar = bar(ctx, None, "{spinner} {prefix} {msg}");
    bar.set_prefix(prefix.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
