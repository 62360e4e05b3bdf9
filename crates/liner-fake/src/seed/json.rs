//! A seeded lead written straight to JSON bytes: the fake's hot path when a
//! client pages through a large list. A child of `seed` so that it reads the
//! lead's private fields.

use super::{
    DigitsOrNumber, ExternalId, Ip, Login, Name, Phone, Rfc3339, SeededCustomValues, SeededLead,
    Text, TimeOrUnix,
};

impl SeededLead {
    /// Appends the lead's JSON to `out`: the same bytes as `serde_json` writes
    /// for it (a test checks), several times faster, because every string
    /// of a seeded lead is known to need no escaping and numbers are written
    /// without `core::fmt`. This is the fake's hot path when a client pages
    /// through a large list.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut json = JsonOut(out);
        json.key_first("createMethod");
        json.plain(self.create_method);
        json.key("createdAt");
        json.time(self.created_at.0);
        json.key("customValues");
        match self.custom_values {
            SeededCustomValues::Fields {
                temperature,
                lead_id,
            } => {
                json.raw("{\"10\":");
                json.plain(temperature);
                json.raw(",\"11\":");
                json.uint(lead_id);
                json.raw("}");
            }
            SeededCustomValues::EmptyList(_) => json.raw("[]"),
            SeededCustomValues::EmptyMap {} => json.raw("{}"),
        }
        for (key, value) in [
            ("externalIdAmo", self.external_id_amo),
            ("externalIdBitrix24", self.external_id_bitrix24),
            ("externalIdDomoplaner", self.external_id_domoplaner),
            ("externalIdMacro", self.external_id_macro),
        ] {
            json.key(key);
            match value {
                Some(Text(ExternalId(prefix, id))) => {
                    json.raw("\"");
                    json.raw(prefix);
                    json.raw("-");
                    json.padded(id, 6);
                    json.raw("\"");
                }
                None => json.raw("null"),
            }
        }
        json.key("id");
        json.uint(self.id);
        json.key("instagramLogin");
        json.login(self.instagram_login);
        if let Some(Text(Ip(third, fourth))) = self.ip {
            json.key("ip");
            json.raw("\"192.168.");
            json.uint(third);
            json.raw(".");
            json.uint(fourth);
            json.raw("\"");
        }
        json.key("isSecondary");
        json.raw(match self.is_secondary {
            Some(true) => "true",
            Some(false) => "false",
            None => "null",
        });
        json.key("leadType");
        json.plain(self.lead_type);
        json.key("name");
        match self.name {
            Some(Text(Name(first, last))) => {
                json.raw("\"");
                json.raw(first);
                json.raw(" ");
                json.raw(last);
                json.raw("\"");
            }
            None => json.raw("null"),
        }
        json.key("nextLeadId");
        json.optional_uint(self.next_lead_id);
        json.key("orderCode");
        json.raw("\"order-");
        json.int(self.order_code.0.0);
        json.raw("\"");
        json.key("orderId");
        json.int(self.order_id);
        json.key("phone");
        json.phone(Some(self.phone));
        json.key("planningCallDateTime");
        match self.planning_call_date_time {
            Some(TimeOrUnix::Text(time)) => json.time(time.0),
            Some(TimeOrUnix::Unix(seconds)) => json.int(seconds),
            None => json.raw("null"),
        }
        json.key("previousLeadId");
        json.optional_uint(self.previous_lead_id);
        json.key("priority");
        json.uint(self.priority);
        json.key("sourceComment");
        json.string(self.source_comment);
        json.key("statusId");
        json.int(self.status_id);
        json.key("telegramPhone");
        json.phone(self.telegram_phone);
        json.key("telegramUserName");
        json.login(self.telegram_user_name);
        json.key("updatedAt");
        json.time(self.updated_at.0);
        json.key("utcOffset");
        json.int(self.utc_offset);
        json.key("vkId");
        match self.vk_id {
            Some(DigitsOrNumber::Digits(Text(digits))) => {
                json.raw("\"");
                json.uint(digits);
                json.raw("\"");
            }
            Some(DigitsOrNumber::Number(number)) => json.uint(number),
            None => json.raw("null"),
        }
        json.raw("}");
    }
}

/// Writes the pieces of a seeded lead's JSON.
struct JsonOut<'a>(&'a mut Vec<u8>);

impl JsonOut<'_> {
    fn raw(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    fn key_first(&mut self, key: &str) {
        self.raw("{\"");
        self.raw(key);
        self.raw("\":");
    }

    fn key(&mut self, key: &str) {
        self.raw(",\"");
        self.raw(key);
        self.raw("\":");
    }

    /// A string known to need no escaping (the seeded vocabularies).
    fn plain(&mut self, text: &str) {
        debug_assert!(!text.contains(['"', '\\']) && text.chars().all(|c| c >= ' '));
        self.raw("\"");
        self.raw(text);
        self.raw("\"");
    }

    /// Any string, escaped as `serde_json` escapes it.
    fn string(&mut self, text: &str) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *self.0, text);
    }

    fn uint(&mut self, value: u64) {
        self.padded(value, 1);
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    fn padded(&mut self, mut value: u64, width: usize) {
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        while value > 0 || digits.len() - start < width {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.0.extend_from_slice(&digits[start..]);
    }

    fn int(&mut self, value: i64) {
        if value < 0 {
            self.raw("-");
        }
        self.uint(value.unsigned_abs());
    }

    fn optional_uint(&mut self, value: Option<u64>) {
        match value {
            Some(value) => self.uint(value),
            None => self.raw("null"),
        }
    }

    fn login(&mut self, login: Option<Text<Login>>) {
        match login {
            Some(Text(Login(id))) => {
                self.raw("\"user");
                self.uint(id);
                self.raw("\"");
            }
            None => self.raw("null"),
        }
    }

    fn phone(&mut self, phone: Option<Text<Phone>>) {
        match phone {
            Some(Text(Phone { plus, digits })) => {
                self.raw(if plus { "\"+7900" } else { "\"7900" });
                self.uint(digits);
                self.raw("\"");
            }
            None => self.raw("null"),
        }
    }

    fn time(&mut self, unix: i64) {
        use std::io::Write as _;
        // Writing into a Vec cannot fail.
        let _ = write!(self.0, "\"{}\"", Rfc3339(unix));
    }
}

#[cfg(test)]
mod tests {
    use super::super::seeded_lead;

    #[test]
    fn typed_map_and_hand_written_forms_write_the_same_bytes() {
        for index in 0..5000 {
            let typed = seeded_lead(7, index);
            let typed_bytes = String::from_utf8(serde_json::to_vec(&typed).unwrap()).unwrap();
            let mut written = Vec::new();
            typed.write_json(&mut written);
            let map_bytes = serde_json::to_vec(&typed.into_map()).unwrap();
            let map_bytes = String::from_utf8(map_bytes).unwrap();
            assert_eq!(typed_bytes, map_bytes, "lead index {index}");
            assert_eq!(
                String::from_utf8(written).unwrap(),
                map_bytes,
                "lead index {index}"
            );
        }
    }
}
