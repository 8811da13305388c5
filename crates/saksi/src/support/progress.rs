//! Progress bars for long work (generating, importing, saving a nation).
//!
//! Drawn on standard error only when it is a terminal, so scripts and CI
//! logs get the final one-line summaries and nothing else.

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar of `total` units, labelled, hidden when stderr is not a terminal.
pub fn bar(label: &str, total: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = format!("{{msg:>18}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{eta}})");
    bar.set_style(
        ProgressStyle::with_template(&template)
            .expect("the template is a constant")
            .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    bar
}

/// [`bar`] that also shows the rate, for work that takes minutes
/// (the national fixture).
pub fn rate_bar(label: &str, total: u64, unit: &str) -> ProgressBar {
    let bar = bar(label, total, unit);
    let template = format!(
        "{{msg:>18}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{rate}}/s, {{eta}})"
    );
    bar.set_style(
        ProgressStyle::with_template(&template)
            .expect("the template is a constant")
            .with_key(
                "rate",
                |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{}", HumanCount(state.per_sec() as u64));
                },
            )
            .progress_chars("=> "),
    );
    bar
}

/// A bar over bytes of a file being read.
pub fn bytes(label: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>18} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .expect("the template is a constant")
            .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    bar
}
