//! The recap's final totals as the log signs them, for the report, and the
//! national ones compared with what the server publishes as final
//! (`"final"` of `GET /api/v1/results/{contest}`): for PPWP and DPR, which
//! the KPU RI decides, the totals and the log index of the confirmation
//! that made them final must be the log's; for the contests decided below
//! (DPD and DPRD Provinsi by the provinces, DPRD Kab/Kota by the kab/kota)
//! the report counts the regions signed off.

use saksi_audit::Discrepancy;
use saksi_core::{Contest, Level, RegionCode};
use saksi_statement::Signoffs;

use super::fetch::Fetcher;
use crate::client::results_path;
use saksi_audit::thousands;

use super::plural;

/// One line of the report per contest; differences go to `found`.
pub async fn compare(
    fetcher: &mut Fetcher,
    signoffs: &Signoffs,
    size: u64,
    found: &mut Vec<Discrepancy>,
) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    for contest in Contest::ALL {
        let end = contest.recap_ends_at();
        let finals = signoffs.finals_at(contest, end);
        if end != Level::Nasional {
            lines.push(format!(
                "{contest}: {} signed off finally (decided at that level)",
                match end {
                    Level::Provinsi => plural(finals as u64, "province", "provinces"),
                    _ => plural(finals as u64, "kab/kota", "kab/kota"),
                }
            ));
            continue;
        }
        let body = fetcher
            .get_ok(&results_path(contest, RegionCode::NASIONAL))
            .await?;
        let published = saksi_audit::served::results(&body)
            .map_err(|e| anyhow::anyhow!("GET /api/v1/results/{contest}: {e}"))?
            .final_;
        let signed = signoffs.final_of(contest, RegionCode::NASIONAL);
        let line = match (signed, published) {
            (None, None) => format!(
                "{contest}: not final nationally yet ({} final)",
                plural(
                    signoffs.finals_at(contest, Level::Provinsi) as u64,
                    "province",
                    "provinces"
                )
            ),
            (_, Some(p)) if p.log_index >= size => format!(
                "{contest}: the published final totals were signed at log index {}, after the audited log ({}): run again",
                p.log_index,
                thousands(size)
            ),
            (Some(s), published) => {
                let mine = saksi_api::Totals::from(&s.totals);
                let same = published
                    .as_ref()
                    .is_some_and(|p| p.totals == mine && p.log_index == s.log_index);
                if !same {
                    found.push(Discrepancy::log(format!(
                        "the final national {contest} totals the log signs (log index {}) are not the published final totals ({})",
                        s.log_index,
                        published.map_or("none".into(), |p| format!("log index {}", p.log_index))
                    )));
                }
                format!(
                    "{contest}: final national totals signed off at log index {} ({}): suara_sah {}, {}; {}",
                    s.log_index,
                    s.signed_at,
                    thousands(mine.suara_sah),
                    mine.options
                        .0
                        .iter()
                        .map(|(k, v)| format!("{k}: {}", thousands(*v)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if same {
                        "the same as published"
                    } else {
                        "NOT what is published (see the discrepancies)"
                    }
                )
            }
            (None, Some(p)) => {
                found.push(Discrepancy::log(format!(
                    "the server publishes final national {contest} totals (log index {}) that no valid sign-off in the log makes final",
                    p.log_index
                )));
                format!(
                    "{contest}: published as final, but not final in the log (see the discrepancies)"
                )
            }
        };
        lines.push(line);
    }
    Ok(lines)
}
