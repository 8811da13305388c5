//! The permission rule, tested exhaustively: every role x action x region
//! relation (own region, a TPS below it, a sibling, its parent) against a
//! table written out by hand, so a change of policy shows up here as a diff.

use saksi_core::RegionCode;
use saksi_core::incident;
use saksi_core::permission::{Action, Principal, Role, Witness, decide};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// Where each role sits for the test, with a TPS inside it, a sibling of it
/// and its parent (`None` where no such region exists).
fn home(
    role: Role,
) -> (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
) {
    match role {
        Role::Kpps => (
            "11.01.01.2001.001",
            None,
            Some("11.01.01.2001.002"),
            Some("11.01.01.2001"),
        ),
        Role::Pps => (
            "11.01.01.2001",
            Some("11.01.01.2001.001"),
            Some("11.01.01.2002"),
            Some("11.01.01"),
        ),
        Role::Ppk => (
            "11.01.01",
            Some("11.01.01.2001.001"),
            Some("11.01.02"),
            Some("11.01"),
        ),
        Role::KpuProv => ("11", Some("11.01.01.2001.001"), Some("12"), Some("0")),
        Role::KpuRi => ("0", Some("11.01.01.2001.001"), None, None),
        Role::KpuKabkota | Role::Bawaslu | Role::Saksi | Role::Auditor => (
            "11.01",
            Some("11.01.01.2001.001"),
            Some("11.02"),
            Some("11"),
        ),
    }
}

/// Expected decisions as four letters: own region, a TPS below, sibling,
/// parent. `A` allow, `D` deny, `-` no such region for this role.
fn expected(role: Role, action: Action) -> &'static str {
    use Action::*;
    use Role::*;
    match (action, role) {
        (CorrectForm, Ppk) => "DADD",
        (CorrectForm, Kpps) => "D-DD",
        (CorrectForm, KpuRi) => "DD--",
        (CorrectForm, _) => "DDDD",
        (FileObjection, Bawaslu | Saksi) => "AADD",
        (FileObjection, Kpps) => "D-DD",
        (FileObjection, KpuRi) => "DD--",
        (FileObjection, _) => "DDDD",
        (ResolveObjection, Ppk | KpuKabkota | KpuProv) => "AADD",
        (ResolveObjection, KpuRi) => "AA--",
        (ResolveObjection, Kpps) => "D-DD",
        (ResolveObjection, _) => "DDDD",
        (SignOff, Ppk | KpuKabkota | KpuProv) => "ADDD",
        (SignOff, KpuRi) => "AD--",
        (SignOff, Kpps) => "D-DD",
        (SignOff, _) => "DDDD",
        (ReportIncident, Kpps) => "A-DD",
        (ReportIncident, Pps | Ppk | KpuKabkota | KpuProv | Bawaslu) => "AADD",
        (ReportIncident, KpuRi) => "AA--",
        (ReportIncident, Saksi | Auditor) => "DDDD",
        (ManageUsers, KpuKabkota | KpuProv) => "DADD",
        (ManageUsers, KpuRi) => "DA--",
        (ManageUsers, Kpps) => "D-DD",
        (ManageUsers, _) => "DDDD",
        (ViewRestricted, Kpps) => "A-DD",
        (ViewRestricted, KpuRi) => "AA--",
        (ViewRestricted, Saksi) => "DDDD",
        (ViewRestricted, _) => "AADD",
    }
}

#[test]
fn every_role_action_and_region_relation_matches_the_policy_table() {
    let mut mismatches = Vec::new();
    for role in Role::ALL {
        let (own, below, sibling, parent) = home(role);
        let party = (role == Role::Saksi).then_some(Witness::Party(3));
        let who = Principal::new(role, code(own), party).unwrap();
        for action in Action::ALL {
            let got: String = [Some(own), below, sibling, parent]
                .into_iter()
                .map(|target| match target {
                    None => '-',
                    Some(t) if decide(&who, action, code(t)).is_allowed() => 'A',
                    Some(_) => 'D',
                })
                .collect();
            let want = expected(role, action);
            if got != want {
                mismatches.push(format!("{role} {action:?}: want {want}, got {got}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn a_principal_must_sit_at_its_roles_level() {
    assert!(Principal::new(Role::Kpps, code("11.01"), None).is_err());
    assert!(Principal::new(Role::KpuRi, code("11"), None).is_err());
    assert!(Principal::new(Role::Bawaslu, code("11.01.01"), None).is_ok());
}

#[test]
fn only_a_saksi_has_a_party_or_a_pair_and_a_saksi_must_have_one() {
    assert!(Principal::new(Role::Saksi, code("11"), None).is_err());
    assert!(Principal::new(Role::Saksi, code("11"), Some(Witness::Party(2))).is_ok());
    assert!(Principal::new(Role::Saksi, code("11"), Some(Witness::Paslon(2))).is_ok());
    assert!(Principal::new(Role::Bawaslu, code("11"), Some(Witness::Party(2))).is_err());
    assert!(Principal::new(Role::Bawaslu, code("11"), Some(Witness::Paslon(1))).is_err());
    assert!(Witness::of(Some(1), Some(2)).is_err());
    assert_eq!(Witness::of(None, Some(2)), Ok(Some(Witness::Paslon(2))));
}

#[test]
fn a_kpps_cannot_act_for_the_next_desa_with_the_same_tps_number() {
    let who = Principal::new(Role::Kpps, code("11.01.01.2001.001"), None).unwrap();
    assert!(decide(&who, Action::ReportIncident, code("11.01.01.2001.001")).is_allowed());
    assert!(!decide(&who, Action::ReportIncident, code("11.01.01.2002.001")).is_allowed());
}

/// The incident events an officer takes by hand, in the order of the
/// letters of [`incident_expected`].
const EVENTS: [incident::Action; 8] = [
    incident::Action::Acknowledge,
    incident::Action::Assign,
    incident::Action::Comment,
    incident::Action::Escalate,
    incident::Action::Resolve,
    incident::Action::Close,
    incident::Action::Reopen,
    incident::Action::Publish,
];

/// Which events [`incident::Public::next`] allows each role at its home
/// region, on an incident at the TPS 11.01.01.2001.001 owned by the KPU
/// Kab/Kota 11.01 (`owned`) and once escalated to the KPU Provinsi 11
/// (`above`), in [`EVENTS`] order (close and reopen on a resolved one).
/// Comments are the lifecycle's in any state: the server lets only those
/// who may read the incident make one.
fn incident_expected(role: Role) -> (&'static str, &'static str) {
    use Role::*;
    match role {
        KpuKabkota => ("AAAAAAAA", "DDADDDDD"),
        KpuProv | KpuRi => ("AAAAAAAA", "AAAAAAAA"),
        Kpps | Pps | Ppk | Bawaslu | Saksi | Auditor => ("DDADDDDD", "DDADDDDD"),
    }
}

#[test]
fn every_role_files_and_acts_on_an_incident_as_the_policy_table_says() {
    use saksi_core::incident::{Actor, Category, Deadlines, Public, Severity, Step};
    use saksi_core::time::UnixTime;
    let tps = code("11.01.01.2001.001");
    let d = Deadlines::default();
    let open = Public::filed(
        tps,
        tps,
        Category::Security,
        Severity::High,
        Vec::new(),
        UnixTime(0),
        &d,
    )
    .unwrap();
    let step = |action, actor| Step {
        action,
        actor,
        at: UnixTime(1),
    };
    let owner = Actor::officer(Role::KpuKabkota, code("11.01"));
    let resolved = open
        .next(step(incident::Action::Resolve, owner), &d)
        .unwrap();
    let escalated = open
        .next(step(incident::Action::Escalate, owner), &d)
        .unwrap();
    assert_eq!(escalated.owner.region, code("11"));
    let province = Actor::officer(Role::KpuProv, code("11"));
    let escalated_resolved = escalated
        .next(step(incident::Action::Resolve, province), &d)
        .unwrap();
    let mut mismatches = Vec::new();
    for role in Role::ALL {
        let (own, ..) = home(role);
        let actor = Actor::officer(role, code(own));
        let letters = |open: &Public, resolved: &Public| -> String {
            EVENTS
                .iter()
                .map(|&action| {
                    let before = match action {
                        incident::Action::Close | incident::Action::Reopen => resolved,
                        _ => open,
                    };
                    if before.next(step(action, actor), &d).is_ok() {
                        'A'
                    } else {
                        'D'
                    }
                })
                .collect()
        };
        let got = (
            letters(&open, &resolved),
            letters(&escalated, &escalated_resolved),
        );
        let want = incident_expected(role);
        if (got.0.as_str(), got.1.as_str()) != want {
            mismatches.push(format!("{role}: want {want:?}, got {got:?}"));
        }
    }
    // A sibling kab/kota's KPU (11.02) acts on nothing, but may comment as
    // far as the lifecycle goes.
    let sibling = Actor::officer(Role::KpuKabkota, code("11.02"));
    let got: String = EVENTS
        .iter()
        .map(|&a| {
            if open.next(step(a, sibling), &d).is_ok() {
                'A'
            } else {
                'D'
            }
        })
        .collect();
    if got != "DDADDDDD" {
        mismatches.push(format!("sibling kpu-kabkota: want DDADDDDD, got {got}"));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
