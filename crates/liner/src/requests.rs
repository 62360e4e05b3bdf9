//! Request bodies: [`NewLead`] for creating a lead, [`LeadPatch`] for
//! updating one. Both are checked when sent, before anything leaves the
//! process, and serialized through the generated `liner-api` types, so the
//! JSON is exactly what the spec describes.

use std::num::NonZeroU64;

use liner_api::types as wire;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{CustomValues, LeadType};

/// The optional fields create and update share.
#[derive(Debug, Clone, Default, PartialEq)]
struct Fields {
    name: Option<String>,
    phone: Option<String>,
    source_comment: Option<String>,
    external_id_bitrix24: Option<String>,
    external_id_amo: Option<String>,
    external_id_macro: Option<String>,
    external_id_domoplaner: Option<String>,
    status_id: Option<u64>,
    priority: Option<i64>,
    utc_offset: Option<i64>,
    telegram_user_name: Option<String>,
    telegram_phone: Option<String>,
    vk_id: Option<u64>,
    instagram_login: Option<String>,
    custom_values: Option<CustomValues>,
}

impl Fields {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    fn status_id(&self) -> Result<Option<NonZeroU64>> {
        self.status_id
            .map(|id| {
                NonZeroU64::new(id).ok_or_else(|| Error::invalid("status_id", "must be > 0, got 0"))
            })
            .transpose()
    }

    fn vk_id(&self) -> Result<Option<wire::VkIdInput>> {
        self.vk_id
            .map(|id| {
                NonZeroU64::new(id)
                    .map(wire::VkIdInput::Number)
                    .ok_or_else(|| Error::invalid("vk_id", "must be > 0, got 0"))
            })
            .transpose()
    }

    fn custom_values(&self) -> Option<wire::CustomValuesInput> {
        self.custom_values.as_ref().map(|values| {
            wire::CustomValuesInput(values.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        })
    }
}

fn phone(raw: &str) -> Result<wire::Phone> {
    wire::Phone::try_from(raw.to_owned()).map_err(|_| {
        Error::invalid(
            "phone",
            format!("{raw:?} is not an E.164 number (an optional +, then 7 to 15 digits, e.g. 79001234567)"),
        )
    })
}

/// Setters for the optional fields, shared by both builders.
macro_rules! field_setters {
    () => {
        /// Client name.
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.fields.name = Some(name.into());
            self
        }

        /// Questionnaire comment/log (plain text or a JSON string).
        pub fn source_comment(mut self, comment: impl Into<String>) -> Self {
            self.fields.source_comment = Some(comment.into());
            self
        }

        /// Lead identifier in Bitrix24.
        pub fn external_id_bitrix24(mut self, id: impl Into<String>) -> Self {
            self.fields.external_id_bitrix24 = Some(id.into());
            self
        }

        /// Lead identifier in amoCRM.
        pub fn external_id_amo(mut self, id: impl Into<String>) -> Self {
            self.fields.external_id_amo = Some(id.into());
            self
        }

        /// Lead identifier in Macro CRM.
        pub fn external_id_macro(mut self, id: impl Into<String>) -> Self {
            self.fields.external_id_macro = Some(id.into());
            self
        }

        /// Lead identifier in Domoplaner.
        pub fn external_id_domoplaner(mut self, id: impl Into<String>) -> Self {
            self.fields.external_id_domoplaner = Some(id.into());
            self
        }

        /// Lead status code (> 0). On create, only statuses of the
        /// "in-progress" category are accepted.
        pub fn status_id(mut self, status_id: u64) -> Self {
            self.fields.status_id = Some(status_id);
            self
        }

        /// Lead priority in the call queue.
        pub fn priority(mut self, priority: i64) -> Self {
            self.fields.priority = Some(priority);
            self
        }

        /// Client time zone: UTC offset in hours, e.g. 3 or -5.
        pub fn utc_offset(mut self, hours: i64) -> Self {
            self.fields.utc_offset = Some(hours);
            self
        }

        /// Telegram username.
        pub fn telegram_user_name(mut self, user_name: impl Into<String>) -> Self {
            self.fields.telegram_user_name = Some(user_name.into());
            self
        }

        /// Telegram phone number (E.164 recommended).
        pub fn telegram_phone(mut self, phone: impl Into<String>) -> Self {
            self.fields.telegram_phone = Some(phone.into());
            self
        }

        /// VK user id (> 0), sent as a number as in the docs' examples.
        pub fn vk_id(mut self, vk_id: u64) -> Self {
            self.fields.vk_id = Some(vk_id);
            self
        }

        /// Instagram user login.
        pub fn instagram_login(mut self, login: impl Into<String>) -> Self {
            self.fields.instagram_login = Some(login.into());
            self
        }

        /// Sets one custom field value (key: the custom field id).
        pub fn custom_value(mut self, field_id: impl ToString, value: impl Into<Value>) -> Self {
            self.fields
                .custom_values
                .get_or_insert_with(CustomValues::new)
                .insert(field_id.to_string(), value.into());
            self
        }
    };
}

/// A lead to create. The four fields the API requires are the constructor's
/// arguments, so they cannot be forgotten; the rest are optional setters.
///
/// ```
/// use liner::{LeadType, NewLead};
///
/// let lead = NewLead::new(LeadType::Straight, "79001234567", 202, "order-001")
///     .name("John Doe")
///     .custom_value(10, "hot");
/// # let _ = lead;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct NewLead {
    lead_type: LeadType,
    phone: String,
    order_id: u64,
    order_code: String,
    fields: Fields,
}

impl NewLead {
    /// A lead of `lead_type` for the client at `phone` (E.164, with or
    /// without `+`), in order `order_id` (> 0) with code `order_code`.
    pub fn new(
        lead_type: LeadType,
        phone: impl Into<String>,
        order_id: u64,
        order_code: impl Into<String>,
    ) -> Self {
        Self {
            lead_type,
            phone: phone.into(),
            order_id,
            order_code: order_code.into(),
            fields: Fields::default(),
        }
    }

    field_setters!();

    /// Checks the fields and returns the JSON body.
    pub(crate) fn into_body(self) -> Result<Vec<u8>> {
        let lead_type = match self.lead_type {
            LeadType::Straight => wire::LeadType::Straight,
            LeadType::Selection => wire::LeadType::Selection,
            other => {
                return Err(Error::invalid(
                    "lead_type",
                    format!("a lead can be created as straight or selection, not {other}"),
                ));
            }
        };
        let fields = &self.fields;
        let body = wire::NewLead {
            lead_type,
            phone: phone(&self.phone)?,
            order_id: NonZeroU64::new(self.order_id)
                .ok_or_else(|| Error::invalid("order_id", "must be > 0, got 0"))?,
            order_code: self.order_code,
            status_id: fields.status_id()?,
            vk_id: fields.vk_id()?,
            custom_values: fields.custom_values(),
            name: fields.name.clone(),
            source_comment: fields.source_comment.clone(),
            external_id_bitrix24: fields.external_id_bitrix24.clone(),
            external_id_amo: fields.external_id_amo.clone(),
            external_id_macro: fields.external_id_macro.clone(),
            external_id_domoplaner: fields.external_id_domoplaner.clone(),
            priority: fields.priority,
            utc_offset: fields.utc_offset,
            telegram_user_name: fields.telegram_user_name.clone(),
            telegram_phone: fields.telegram_phone.clone(),
            instagram_login: fields.instagram_login.clone(),
        };
        Ok(serde_json::to_vec(&body).expect("the generated request types serialize"))
    }
}

/// The fields of a lead to change. Only the fields set are sent; the others
/// keep their values. A patch with no field set is refused.
///
/// ```
/// let patch = liner::LeadPatch::new().status_id(12).name("Jane Doe");
/// # let _ = patch;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct LeadPatch {
    fields: Fields,
}

impl LeadPatch {
    /// An empty patch; set at least one field.
    pub fn new() -> Self {
        Self::default()
    }

    /// Client phone number (E.164, with or without `+`).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.fields.phone = Some(phone.into());
        self
    }

    field_setters!();

    /// Checks the fields and returns the JSON body.
    pub(crate) fn into_body(self) -> Result<Vec<u8>> {
        let fields = self.fields;
        if fields.is_empty() {
            return Err(Error::invalid(
                "patch",
                "no field is set; set at least one field to update",
            ));
        }
        let body = wire::LeadPatch {
            phone: fields.phone.as_deref().map(phone).transpose()?,
            status_id: fields.status_id()?,
            vk_id: fields.vk_id()?,
            custom_values: fields.custom_values(),
            name: fields.name,
            source_comment: fields.source_comment,
            external_id_bitrix24: fields.external_id_bitrix24,
            external_id_amo: fields.external_id_amo,
            external_id_macro: fields.external_id_macro,
            external_id_domoplaner: fields.external_id_domoplaner,
            priority: fields.priority,
            utc_offset: fields.utc_offset,
            telegram_user_name: fields.telegram_user_name,
            telegram_phone: fields.telegram_phone,
            instagram_login: fields.instagram_login,
        };
        Ok(serde_json::to_vec(&body).expect("the generated request types serialize"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_fields_are_named_before_sending() {
        let err = NewLead::new(LeadType::Straight, "call me", 1, "x")
            .into_body()
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid phone: \"call me\" is not an E.164 number"),
            "{err}"
        );
        let err = NewLead::new(LeadType::Straight, "79001234567", 0, "x")
            .into_body()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid order_id: must be > 0, got 0 (nothing was sent)"
        );
        let err = NewLead::new(LeadType::Other("vip".into()), "79001234567", 1, "x")
            .into_body()
            .unwrap_err();
        assert!(
            err.to_string().contains("straight or selection, not vip"),
            "{err}"
        );
        let err = LeadPatch::new().into_body().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid patch: no field is set"),
            "{err}"
        );
        let err = LeadPatch::new().vk_id(0).into_body().unwrap_err();
        assert!(err.to_string().starts_with("invalid vk_id"), "{err}");
    }

    #[test]
    fn only_set_fields_are_sent() {
        let body = LeadPatch::new().status_id(12).into_body().unwrap();
        assert_eq!(String::from_utf8(body).unwrap(), r#"{"statusId":12}"#);
    }
}
