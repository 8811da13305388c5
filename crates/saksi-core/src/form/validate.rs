//! Checking a parsed C.Hasil form against the election (the rules and
//! their codes: docs/form-codes.md).
//!
//! Errors are the identities *inside* one section of the form (R1, R2, R4,
//! R5), counts out of range (R9) and options that are not on this TPS's
//! ballot: a form that breaks one is refused. Warnings are relations
//! *between* sections (R3, R6, R7, R10, R12), where a real paper form can be
//! wrong: the form is stored with them, because the paper is authoritative.
//!
//! This runs on every submission, so the happy path allocates nothing: an
//! [`Issue`] (and its message) is built only when a rule fails.

use super::Issue;
use super::codes::{self, Code};
use super::types::{CHasil, MAX_COUNT, OptionId, OptionVotes, Options, Triple};
use crate::election::Candidate;
use crate::{Contest, Election, RegionId};

/// Checks `form` as submitted for `contest` at the TPS `tps` (a TPS of
/// `election.tree`). `Ok` carries the warnings to store with the form
/// (often none); `Err` carries every error, and the form must be refused.
pub fn validate(
    election: &Election,
    tps: RegionId,
    contest: Contest,
    form: &CHasil,
) -> Result<Vec<Issue>, Vec<Issue>> {
    let mut errors = Vec::new();
    let (options_sum, options_max) = sum_and_max(&form.options);
    check_counts(form, options_max, &mut errors);
    check_identities(form, options_sum, &mut errors);
    check_options(election, tps, contest, form, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut warnings = Vec::new();
    check_warnings(form, &mut warnings);
    Ok(warnings)
}

fn push(issues: &mut Vec<Issue>, code: &Code, field: impl Into<String>, message: String) {
    issues.push(Issue::new(code, Some(field.into()), message));
}

/// R9 again, for forms built in code rather than parsed.
fn check_counts(form: &CHasil, options_max: u32, errors: &mut Vec<Issue>) {
    if form.max_count() > MAX_COUNT {
        for (name, v) in form.counts().filter(|(_, v)| *v > MAX_COUNT) {
            let message = format!("{name} must be a whole number from 0 to {MAX_COUNT}, found {v}");
            push(errors, &codes::INVALID_NUMBER, name, message);
        }
    }
    if options_max > MAX_COUNT {
        for (id, v) in form.options.boxes().filter(|(_, v)| *v > MAX_COUNT) {
            let field = id.field();
            let message =
                format!("{field} must be a whole number from 0 to {MAX_COUNT}, found {v}");
            push(errors, &codes::INVALID_NUMBER, field, message);
        }
    }
}

/// The sum (for R1) and the largest box (for R9) of the options, in one
/// tight pass: the happy path needs no more.
fn sum_and_max(options: &Options) -> (u64, u32) {
    let fold = |(sum, max): (u64, u32), votes: u32| (sum + u64::from(votes), max.max(votes));
    let flat = |acc, v: &[OptionVotes]| v.iter().map(|o| o.votes).fold(acc, fold);
    match options {
        Options::Paslon(v) | Options::Candidates(v) => flat((0, 0), v),
        Options::Parties(parties) => parties
            .iter()
            .fold((0, 0), |acc, p| flat(fold(acc, p.votes), &p.candidates)),
    }
}

/// The triples of the form with their field-name prefixes; `None` for an
/// absent section.
fn triples(form: &CHasil) -> [(&'static str, Option<Triple>); 7] {
    [
        ("pemilih_dpt", Some(form.pemilih_dpt)),
        ("pengguna_dpt", Some(form.pengguna_dpt)),
        ("pengguna_dptb", Some(form.pengguna_dptb)),
        ("pengguna_non_dpt", Some(form.pengguna_non_dpt)),
        ("pengguna_total", Some(form.pengguna_total)),
        ("pemilih_disabilitas", form.disabilitas.map(|d| d.pemilih)),
        ("pengguna_disabilitas", form.disabilitas.map(|d| d.pengguna)),
    ]
}

/// A field-name suffix (`l`, `p`, `j`) and how to read it off a triple.
type Sex = (&'static str, fn(Triple) -> u32);

/// Male, female and total, by suffix.
const SEXES: [Sex; 3] = [("l", |t| t.l), ("p", |t| t.p), ("j", |t| t.j)];

/// R1, R2, R4, R5: the sums inside one section of the form.
fn check_identities(form: &CHasil, options: u64, errors: &mut Vec<Issue>) {
    if options != u64::from(form.suara_sah) {
        let message = format!(
            "suara_sah is {} but the options add up to {options}",
            form.suara_sah
        );
        push(errors, &codes::OPTIONS_SUM_MISMATCH, "suara_sah", message);
    }
    let (sah, tidak_sah, total) = (form.suara_sah, form.suara_tidak_sah, form.suara_total);
    if u64::from(sah) + u64::from(tidak_sah) != u64::from(total) {
        let message = format!(
            "suara_total is {total} but suara_sah + suara_tidak_sah = {sah} + {tidak_sah} = {}",
            u64::from(sah) + u64::from(tidak_sah)
        );
        push(errors, &codes::VOTES_SUM_MISMATCH, "suara_total", message);
    }
    for (sex, of) in SEXES {
        let (dpt, dptb, non_dpt) = (
            of(form.pengguna_dpt),
            of(form.pengguna_dptb),
            of(form.pengguna_non_dpt),
        );
        let sum = u64::from(dpt) + u64::from(dptb) + u64::from(non_dpt);
        let total = of(form.pengguna_total);
        if sum != u64::from(total) {
            let message = format!(
                "pengguna_total_{sex} is {total} but pengguna_dpt_{sex} + pengguna_dptb_{sex} + \
                 pengguna_non_dpt_{sex} = {dpt} + {dptb} + {non_dpt} = {sum}"
            );
            push(
                errors,
                &codes::VOTERS_SUM_MISMATCH,
                format!("pengguna_total_{sex}"),
                message,
            );
        }
    }
    for (name, triple) in triples(form) {
        let Some(t) = triple else { continue };
        let sum = u64::from(t.l) + u64::from(t.p);
        if sum != u64::from(t.j) {
            let message = format!(
                "{name}_j is {} but {name}_l + {name}_p = {} + {} = {sum}",
                t.j, t.l, t.p
            );
            push(
                errors,
                &codes::SEX_SUM_MISMATCH,
                format!("{name}_j"),
                message,
            );
        }
    }
}

/// The contest is held at the TPS and every option is on its ballot.
fn check_options(
    election: &Election,
    tps: RegionId,
    contest: Contest,
    form: &CHasil,
    errors: &mut Vec<Issue>,
) {
    if !form.options.fits(contest) {
        let message = format!(
            "the options have the shape of another contest's ballot, not {}'s",
            contest.name()
        );
        push(errors, &codes::OPTIONS_SHAPE, "options", message);
        return;
    }
    let dapil = match contest {
        Contest::Ppwp => None,
        _ => match election.dapil_of(tps, contest) {
            Some(dapil) => Some(dapil),
            None => {
                let message = format!(
                    "the {} contest is not held at TPS {}",
                    contest.name(),
                    election.tree.get(tps).code
                );
                errors.push(Issue::new(&codes::CONTEST_NOT_HELD, None, message));
                return;
            }
        },
    };
    match (&form.options, dapil) {
        (Options::Paslon(paslon), _) => {
            for o in paslon {
                if !election
                    .paslon
                    .iter()
                    .any(|p| u16::from(p.number) == o.number)
                {
                    let field = OptionId::Paslon(o.number).field();
                    let message = format!("{field}: there is no paslon {:02}", o.number);
                    push(errors, &codes::UNKNOWN_OPTION, field, message);
                }
            }
        }
        (Options::Candidates(candidates), Some(dapil)) => {
            let mut ballot = Ballot::new(&dapil.candidates);
            let start = ballot.start(None);
            for o in candidates {
                if !ballot.has(start, None, o.number) {
                    let field = OptionId::Candidate(o.number).field();
                    if election.option_exists(contest, None, Some(o.number)) {
                        let message = format!(
                            "{field}: DPD candidate {} stands in another province, not in dapil {}",
                            o.number, dapil.code
                        );
                        push(errors, &codes::OPTION_OTHER_DAPIL, field, message);
                    } else {
                        let message =
                            format!("{field}: there is no DPD candidate {} anywhere", o.number);
                        push(errors, &codes::UNKNOWN_OPTION, field, message);
                    }
                }
            }
        }
        (Options::Parties(parties), Some(dapil)) => {
            let mut ballot = Ballot::new(&dapil.candidates);
            let mut listed = Listed::new(&dapil.parties);
            for p in parties {
                if !listed.has(p.party) {
                    let field = format!("options.{}", p.party);
                    if election.option_exists(contest, Some(p.party), None) {
                        let message = format!(
                            "{field}: party {} is not on the {} ballot of dapil {}",
                            p.party,
                            contest.name(),
                            dapil.code
                        );
                        push(errors, &codes::OPTION_OTHER_DAPIL, field, message);
                    } else {
                        let message = format!(
                            "{field}: party {} is on no {} ballot",
                            p.party,
                            contest.name()
                        );
                        push(errors, &codes::UNKNOWN_OPTION, field, message);
                    }
                    continue;
                }
                let start = ballot.start(Some(p.party));
                for c in &p.candidates {
                    if ballot.has(start, Some(p.party), c.number) {
                        continue;
                    }
                    let field = OptionId::PartyCandidate(p.party, c.number).field();
                    if election.option_exists(contest, Some(p.party), Some(c.number)) {
                        let message = format!(
                            "{field}: candidate {} of party {} stands in another dapil, not in dapil {}",
                            c.number, p.party, dapil.code
                        );
                        push(errors, &codes::OPTION_OTHER_DAPIL, field, message);
                    } else {
                        let message = format!(
                            "{field}: party {} has no candidate {} on any {} ballot",
                            p.party,
                            c.number,
                            contest.name()
                        );
                        push(errors, &codes::UNKNOWN_OPTION, field, message);
                    }
                }
            }
        }
        // Only PPWP has no dapil, and its options are paslon.
        (Options::Candidates(_) | Options::Parties(_), None) => {}
    }
}

/// A dapil's candidate list, grouped by party and numbered from 1 within
/// each party, as the election builds it. Lookups use that layout to be
/// O(1) (candidate `n` of a party sits at the party's start + n - 1) and
/// verify every hit, so a list laid out otherwise still gets right answers,
/// by a full scan.
struct Ballot<'a> {
    candidates: &'a [Candidate],
    /// Just after the last hit: where the next party starts when the form
    /// lists options in ballot order, as parsing sorts them.
    next: usize,
}

impl<'a> Ballot<'a> {
    fn new(candidates: &'a [Candidate]) -> Ballot<'a> {
        Ballot {
            candidates,
            next: 0,
        }
    }

    /// Where `party`'s candidates start (`None` for DPD).
    fn start(&self, party: Option<u8>) -> usize {
        let c = self.candidates;
        let here = c.get(self.next).is_some_and(|x| x.party == party)
            && (self.next == 0 || c[self.next - 1].party != party);
        if here {
            self.next
        } else {
            c.partition_point(|x| x.party < party)
        }
    }

    /// True if candidate `number` of `party`, whose run begins at `start`,
    /// is on this ballot.
    fn has(&mut self, start: usize, party: Option<u8>, number: u16) -> bool {
        let at = usize::from(number).checked_sub(1).map(|i| start + i);
        if let Some(at) = at
            && let Some(x) = self.candidates.get(at)
            && x.party == party
            && x.number == number
        {
            self.next = at + 1;
            return true;
        }
        self.candidates
            .iter()
            .any(|x| x.party == party && x.number == number)
    }
}

/// A dapil's party list, searched with a cursor: O(1) per party when the
/// form lists parties in ballot order, a full scan otherwise.
struct Listed<'a> {
    parties: &'a [u8],
    next: usize,
}

impl<'a> Listed<'a> {
    fn new(parties: &'a [u8]) -> Listed<'a> {
        Listed { parties, next: 0 }
    }

    fn has(&mut self, party: u8) -> bool {
        if self.parties.get(self.next) == Some(&party) {
            self.next += 1;
            return true;
        }
        match self.parties.iter().position(|p| *p == party) {
            Some(i) => {
                self.next = i + 1;
                true
            }
            None => false,
        }
    }
}

/// R3, R6, R7, R10, R12: relations between sections.
fn check_warnings(form: &CHasil, warnings: &mut Vec<Issue>) {
    let total = form.suara_total;
    if total != form.pengguna_total.j {
        let message = format!(
            "suara_total is {total} but pengguna_total_j is {}",
            form.pengguna_total.j
        );
        push(warnings, &codes::VOTES_VS_VOTERS, "suara_total", message);
    }
    for (sex, of) in SEXES {
        let (voted, registered) = (of(form.pengguna_dpt), of(form.pemilih_dpt));
        if voted > registered {
            let message = format!(
                "pengguna_dpt_{sex} is {voted}, more than pemilih_dpt_{sex} ({registered})"
            );
            push(
                warnings,
                &codes::VOTERS_ABOVE_DPT,
                format!("pengguna_dpt_{sex}"),
                message,
            );
        }
    }
    let dpt = form.pemilih_dpt.j;
    if u64::from(total) * 100 > u64::from(dpt) * 102 {
        let limit = u64::from(dpt) * 102;
        let message = format!(
            "suara_total is {total}, more than pemilih_dpt_j x 1.02 = {dpt} x 1.02 = {}.{:02}",
            limit / 100,
            limit % 100
        );
        push(warnings, &codes::VOTES_ABOVE_DPT, "suara_total", message);
    }
    if let Some(s) = form.surat_suara {
        let sum = u64::from(s.digunakan) + u64::from(s.tidak_digunakan) + u64::from(s.rusak);
        if sum != u64::from(s.diterima) {
            let message = format!(
                "surat_suara_diterima is {} but used + unused + damaged = {} + {} + {} = {sum}",
                s.diterima, s.digunakan, s.tidak_digunakan, s.rusak
            );
            push(
                warnings,
                &codes::BALLOTS_SUM_MISMATCH,
                "surat_suara_diterima",
                message,
            );
        }
        if s.digunakan != total {
            let message = format!(
                "surat_suara_digunakan is {} but suara_total is {total}",
                s.digunakan
            );
            push(
                warnings,
                &codes::BALLOTS_USED_VS_VOTES,
                "surat_suara_digunakan",
                message,
            );
        }
    }
    if form.suara_sah == 0 && total > 0 {
        let message = format!("suara_sah is 0 while suara_total is {total}");
        push(warnings, &codes::NO_VALID_VOTES, "suara_sah", message);
    }
}
