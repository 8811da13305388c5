//! Every refusal: `{"error": {"code", "message", "details"}}`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

/// What went wrong: a stable code (listed in the README; a form's own in
/// `docs/form-codes.md`), a sentence for people and details that depend on
/// the code (`{}` when none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    /// An object: `errors` (a list of [`Issue`]) for a form, `reason`,
    /// `checkpoint_size`, `current_version`, ... for others.
    #[serde(default = "empty_object")]
    pub details: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

impl ErrorBody {
    /// An error with empty details.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorInfo {
                code: code.into(),
                message: message.into(),
                details: empty_object(),
            },
        }
    }

    /// The same error with `details` (an object; `None` keeps `{}`).
    pub fn with_details(mut self, details: Option<Value>) -> ErrorBody {
        if let Some(details) = details {
            self.error.details = details;
        }
        self
    }
}

/// One problem found in a form: an error's `details.errors[]` or an
/// accepted version's `warnings[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub code: String,
    /// The rule (`R1`...) the code enforces, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The field's path in the form's JSON; `null` for the whole form.
    pub field: Option<String>,
    pub message: String,
}

impl From<&saksi_core::form::Issue> for Issue {
    fn from(issue: &saksi_core::form::Issue) -> Issue {
        Issue {
            code: issue.code.to_owned(),
            rule: issue.rule.map(str::to_owned),
            field: issue.field.clone(),
            message: issue.message.clone(),
        }
    }
}
