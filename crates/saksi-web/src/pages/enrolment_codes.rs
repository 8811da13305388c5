//! `GET /workspace/enrolment-codes`: a KPU Kab/Kota officer issues one-time
//! enrolment codes for TPS of their kab/kota and prints the sheet handed
//! to each KPPS chair. The kecamatan and their TPS are listed here from
//! the election's region tree, so a whole kecamatan is chosen in one step;
//! the page's script posts the TPS codes to `POST /api/v1/enrolment-codes`
//! and draws the sheet from the answer (the codes are shown once: the
//! server keeps only their hashes).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_core::{Election, Level, RegionId};
use saksi_server::state::AppState;
use serde::Serialize;

use crate::pages::refused;
use crate::session::SignedIn;
use crate::view;

/// Only a KPU Kab/Kota issues enrolment codes.
pub const ROLES: &[Role] = &[Role::KpuKabkota];

/// One kecamatan of the officer's kab/kota, with its TPS.
#[derive(Debug, Serialize)]
struct Kecamatan {
    code: String,
    name: String,
    tps: Vec<Tps>,
}

/// A TPS as the printed sheet names it.
#[derive(Debug, Serialize)]
struct Tps {
    code: String,
    name: String,
    desa: String,
}

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    if let Some(refusal) = refused(&state, &signed_in, ROLES) {
        return refusal;
    }
    let SignedIn { visitor, staff } = signed_in;
    let election = &state.election;
    let Some(kabkota) = election.tree.find(staff.auth.principal.region()) else {
        return view::error_page(&visitor, &state, StatusCode::FORBIDDEN, "region.not_found");
    };
    let kecamatan = kecamatan_of(election, kabkota);
    let frame = visitor.frame(&state);
    view::page(
        &frame,
        StatusCode::OK,
        "enrolment_codes.html",
        context! { kecamatan => kecamatan },
    )
}

/// The kecamatan below `kabkota`, each with every TPS of its desa, in
/// code order.
fn kecamatan_of(election: &Election, kabkota: RegionId) -> Vec<Kecamatan> {
    let tree = &election.tree;
    tree.children(kabkota)
        .filter(|id| tree.get(*id).level() == Level::Kecamatan)
        .map(|kec| {
            let k = tree.get(kec);
            let tps = tree
                .children(kec)
                .flat_map(|desa| {
                    let d = tree.get(desa);
                    tree.children(desa).map(move |t| {
                        let t = tree.get(t);
                        Tps {
                            code: t.code.to_string(),
                            name: t.name.clone(),
                            desa: d.name.clone(),
                        }
                    })
                })
                .collect();
            Kecamatan {
                code: k.code.to_string(),
                name: k.name.clone(),
                tps,
            }
        })
        .collect()
}
