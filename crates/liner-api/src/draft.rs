//! [`Draft`]: a request body being filled in. Its setters, one per field of
//! the body, are generated from the spec (`cargo xtask generate`), so a field
//! added to the spec can be set with no hand edit; this file holds what is
//! the same for every body.

use crate::fields::{IntoField, InvalidField, field};

/// A request body being filled in, checked when it is built (and so before
/// anything is sent).
///
/// Start one with the body's `new` (`NewLead::new(..)` takes the required
/// fields, `LeadPatch::new()` none), set optional fields with the setters
/// named after them, then [`build`](Self::build) it, or hand it to the client
/// as it is. The first value refused is the error, naming its field.
///
/// ```
/// use liner_api::types::{LeadPatch, LeadType, NewLead};
///
/// let lead = NewLead::new(LeadType::Straight, "79001234567", 202, "order-001")
///     .name("John Doe")
///     .custom_values([(10, "hot")])
///     .build()?;
/// assert_eq!(lead.order_id.get(), 202);
///
/// let refused = LeadPatch::new().status_id(0).build().unwrap_err();
/// assert_eq!(refused.to_string(), "invalid status_id: must be between 1 and 9223372036854775807, got 0");
/// # Ok::<(), liner_api::InvalidField>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Draft<T> {
    body: Result<T, InvalidField>,
}

/// A request body of the spec. Implemented, by generated code, for each
/// one.
pub trait RequestBody: Sized {
    /// Whether the body as a whole is what the spec asks for (for instance
    /// `minProperties`: a patch that sets nothing is refused).
    fn check(&self) -> Result<(), InvalidField>;
}

impl<T: RequestBody> Draft<T> {
    /// A draft of `body` (or the first of its fields that was refused).
    /// Used by the generated constructors.
    #[doc(hidden)]
    pub fn __start(body: Result<T, InvalidField>) -> Self {
        Self { body }
    }

    /// Sets field `name` to `value` through `apply`, unless an earlier value
    /// was refused. Used by the generated setters.
    #[doc(hidden)]
    pub fn __set<V>(
        mut self,
        name: &'static str,
        value: impl IntoField<V>,
        apply: impl FnOnce(&mut T, V),
    ) -> Self {
        if let Ok(body) = &mut self.body {
            match field(name, value) {
                Ok(value) => apply(body, value),
                Err(refused) => self.body = Err(refused),
            }
        }
        self
    }

    /// The body, or the first field refused, or why the body as a whole is
    /// not what the spec asks for.
    pub fn build(self) -> Result<T, InvalidField> {
        let body = self.body?;
        body.check()?;
        Ok(body)
    }
}

impl<T: RequestBody> From<T> for Draft<T> {
    /// A body built by other means; it is still checked as a whole when
    /// built.
    fn from(body: T) -> Self {
        Self { body: Ok(body) }
    }
}
