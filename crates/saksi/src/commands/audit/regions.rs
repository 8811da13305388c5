//! Fetching the published region list for [`saksi_audit::Regions`]: the
//! provinces and kab/kota before the first entry, the desa lists of the
//! TPS the log names after the entries are verified.

use anyhow::{Context, Result, anyhow, bail};
use saksi_audit::Regions;
use saksi_audit::regions::{children, region_path};
use saksi_core::{Level, RegionCode};

use super::fetch::Pool;

/// The region named by the last segment of `path`.
fn parent_of(path: &str) -> RegionCode {
    path.rsplit('/')
        .next()
        .and_then(|c| RegionCode::parse(c).ok())
        .unwrap_or(RegionCode::NASIONAL)
}

/// Fetches the provinces and every kab/kota.
pub async fn fetch(pool: &mut Pool) -> Result<Regions> {
    let path = region_path(RegionCode::NASIONAL);
    let body = pool.main.get_ok(&path).await?;
    let provinces = children(&body, RegionCode::NASIONAL, Level::Provinsi)
        .with_context(|| format!("GET {path}"))?;
    let paths = provinces.iter().map(|p| region_path(*p)).collect();
    let lists = pool
        .get_each(paths, |path, status, body| {
            if status != 200 {
                bail!("GET {path} answered {status}");
            }
            children(&body, parent_of(path), Level::Kabkota).with_context(|| format!("GET {path}"))
        })
        .await?;
    let mut kabkota = Vec::new();
    for list in lists {
        kabkota.extend(list?);
    }
    Ok(Regions::new(provinces, kabkota))
}

/// Fetches the desa of every TPS noted and not yet checked, and checks
/// them. Returns the TPS the list does not have, each with the first log
/// index that named it, in log order.
pub async fn resolve(regions: &mut Regions, pool: &Pool) -> Result<Vec<(RegionCode, u64)>> {
    let wanted = regions.desa_wanted();
    if wanted.is_empty() {
        return Ok(regions.learn([]));
    }
    let bar = crate::support::progress::bar("region list", wanted.len() as u64, "desa");
    let paths = wanted.iter().map(|d| region_path(*d)).collect();
    let progress = bar.clone();
    let lists = pool
        .get_each(paths, move |path, status, body| {
            progress.inc(1);
            match status {
                200 => children(&body, parent_of(path), Level::Tps)
                    .map(Some)
                    .with_context(|| format!("GET {path}")),
                404 => Ok(None),
                _ => Err(anyhow!("GET {path} answered {status}")),
            }
        })
        .await?;
    bar.finish_and_clear();
    let mut fetched = Vec::with_capacity(wanted.len());
    for (desa, list) in wanted.into_iter().zip(lists) {
        fetched.push((desa, list?));
    }
    Ok(regions.learn(fetched))
}
