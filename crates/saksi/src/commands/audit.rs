//! `saksi audit`: the independent auditor (issue 3 §7); the work is in
//! [`crate::audit`].

use anyhow::Result;

use crate::cli::AuditArgs;

pub fn run(args: &AuditArgs) -> Result<()> {
    crate::audit::run(args)
}
