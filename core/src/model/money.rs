//! Money, exact: integer minor units of an ISO 4217 currency.
//!
//! On the wire money is `{"amount": 1234.5, "currency": "USD"}`; the amount may also be a
//! decimal string (`"1234.50"`), which is what CSV imports hand over. Amounts are never held in
//! floating point: a JSON number is read through its shortest decimal form and refused when it
//! has more decimals than the currency has minor units (`1.234` USD), so no cent is ever made up
//! or lost. Amounts are limited to 10^15 minor units so every value prints back exactly.

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// The largest magnitude, in minor units, that prints back exactly as a JSON number.
pub const MAX_MINOR_UNITS: i64 = 1_000_000_000_000_000;

/// An ISO 4217 currency (`USD`, `EUR`, `JPY`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Looks up an ISO 4217 alphabetic code (upper case). Codes without minor units defined by
    /// ISO (gold, SDR, testing codes) are refused: they cannot be held exactly.
    pub fn from_code(code: &str) -> Option<Currency> {
        let c = iso_currency::Currency::from_code(code)?;
        c.exponent()?;
        Some(Currency(c))
    }
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
    /// Number of decimal places of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn exponent(&self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = Cow::<str>::deserialize(d)?;
        Currency::from_code(&code).ok_or_else(|| {
            D::Error::custom(format!(
                "unknown currency `{code}`: expected an ISO 4217 code such as USD"
            ))
        })
    }
}

impl JsonSchema for Currency {
    fn schema_name() -> Cow<'static, str> {
        "Currency".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[A-Z]{3}$",
            "description": "An ISO 4217 currency code, e.g. USD"
        })
    }
}

/// An exact amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// Why an amount could not be held exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    NotANumber,
    TooManyDecimals { allowed: u32 },
    OutOfRange,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::NotANumber => f.write_str("not a decimal number"),
            AmountError::TooManyDecimals { allowed } => {
                write!(f, "more decimals than the currency's {allowed}")
            }
            AmountError::OutOfRange => write!(f, "beyond ±10^15 minor units"),
        }
    }
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Money, AmountError> {
        if minor.abs() > MAX_MINOR_UNITS {
            return Err(AmountError::OutOfRange);
        }
        Ok(Money { minor, currency })
    }

    /// Parses a decimal string such as `"1234.50"`, `"-3"`, `"1e3"` exactly.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, AmountError> {
        let minor = parse_minor_units(text.trim(), currency.exponent())?;
        Money::from_minor(minor, currency)
    }

    /// Takes a JSON number through its shortest decimal form, so `0.1` is ten cents exactly.
    pub fn from_f64(amount: f64, currency: Currency) -> Result<Money, AmountError> {
        if !amount.is_finite() {
            return Err(AmountError::NotANumber);
        }
        Money::parse_decimal(&format!("{amount}"), currency)
    }

    pub fn minor_units(&self) -> i64 {
        self.minor
    }
    pub fn currency(&self) -> Currency {
        self.currency
    }
    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }
    /// The amount as a float, for statistics only; exact for every value Money can hold.
    pub fn amount_f64(&self) -> f64 {
        self.minor as f64 / 10f64.powi(self.currency.exponent() as i32)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent() as usize;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            write!(f, "{sign}{abs} {}", self.currency)
        } else {
            let scale = 10u64.pow(exp as u32);
            write!(
                f,
                "{sign}{}.{:0exp$} {}",
                abs / scale,
                abs % scale,
                self.currency
            )
        }
    }
}

/// Exact decimal to minor units: sign, digits, optional fraction, optional exponent.
fn parse_minor_units(text: &str, exponent: u32) -> Result<i64, AmountError> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exp10) = match rest.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = rest[i + 1..].parse().map_err(|_| AmountError::NotANumber)?;
            (&rest[..i], e)
        }
        None => (rest, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(AmountError::NotANumber);
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(AmountError::NotANumber);
    }
    // digits * 10^(exp10 - frac_len) minor-unit-scaled by 10^exponent
    let digits: String = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    let shift = exp10 - frac_part.len() as i32 + exponent as i32;
    if digits.is_empty() {
        return Ok(0);
    }
    let (digits, shift) = if shift < 0 {
        // the dropped digits must all be zero, else the value has sub-minor-unit precision
        let cut = (-shift) as usize;
        if cut >= digits.len() {
            if digits.bytes().all(|b| b == b'0') {
                return Ok(0);
            }
            return Err(AmountError::TooManyDecimals { allowed: exponent });
        }
        let (keep, dropped) = digits.split_at(digits.len() - cut);
        if !dropped.bytes().all(|b| b == b'0') {
            return Err(AmountError::TooManyDecimals { allowed: exponent });
        }
        (keep, 0)
    } else {
        (digits, shift as u32)
    };
    if digits.len() + shift as usize > 18 {
        return Err(AmountError::OutOfRange);
    }
    let mut value: i64 = digits.parse().map_err(|_| AmountError::OutOfRange)?;
    value = value
        .checked_mul(10i64.pow(shift))
        .ok_or(AmountError::OutOfRange)?;
    if value > MAX_MINOR_UNITS {
        return Err(AmountError::OutOfRange);
    }
    Ok(if negative { -value } else { value })
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Money", 2)?;
        if self.currency.exponent() == 0 {
            st.serialize_field("amount", &self.minor)?;
        } else {
            st.serialize_field("amount", &self.amount_f64())?;
        }
        st.serialize_field("currency", &self.currency)?;
        st.end()
    }
}

/// An amount as written: a JSON number or a decimal string. Its syntax is checked here, at the
/// `amount` field; whether it fits the currency's minor unit is checked once the currency is known.
enum AmountWire {
    Int(i64),
    Float(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for AmountWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = AmountWire;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a decimal string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<AmountWire, E> {
                Ok(AmountWire::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AmountWire, E> {
                i64::try_from(v)
                    .map(AmountWire::Int)
                    .map_err(|_| E::custom("amount beyond ±10^15 minor units"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<AmountWire, E> {
                Ok(AmountWire::Float(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AmountWire, E> {
                // Syntax only: 30 decimals is more than any currency has.
                match parse_minor_units(v.trim(), 30) {
                    Err(AmountError::NotANumber) => {
                        Err(E::custom(format!("`{v}` is not a decimal number")))
                    }
                    _ => Ok(AmountWire::Text(v.to_string())),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyWire {
    amount: AmountWire,
    currency: Currency,
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = MoneyWire::deserialize(d)?;
        let result = match wire.amount {
            AmountWire::Int(i) => i
                .checked_mul(10i64.pow(wire.currency.exponent()))
                .ok_or(AmountError::OutOfRange)
                .and_then(|m| Money::from_minor(m, wire.currency)),
            AmountWire::Float(f) => Money::from_f64(f, wire.currency),
            AmountWire::Text(t) => Money::parse_decimal(&t, wire.currency),
        };
        result.map_err(|e| D::Error::custom(format!("invalid amount: {e}")))
    }
}

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let currency = generator.subschema_for::<Currency>();
        json_schema!({
            "type": "object",
            "description": "An exact amount: a decimal number (or decimal string) in an ISO 4217 currency, held as integer minor units",
            "properties": {
                "amount": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": "^[+-]?[0-9]*\\.?[0-9]*([eE][+-]?[0-9]+)?$"}]},
                "currency": currency
            },
            "required": ["amount", "currency"],
            "additionalProperties": false
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(Money::from_f64(0.1, usd()).unwrap().minor_units(), 10);
        assert_eq!(
            Money::from_f64(1234.5, usd()).unwrap().minor_units(),
            123450
        );
        assert_eq!(
            Money::parse_decimal("1234.50", usd())
                .unwrap()
                .minor_units(),
            123450
        );
        assert_eq!(
            Money::parse_decimal("1e3", usd()).unwrap().minor_units(),
            100000
        );
        assert_eq!(
            Money::parse_decimal("-0.07", usd()).unwrap().minor_units(),
            -7
        );
        assert_eq!(
            Money::parse_decimal("1.234", usd()),
            Err(AmountError::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(
            Money::parse_decimal("1.230", usd()).unwrap().minor_units(),
            123
        );
        assert_eq!(
            Money::parse_decimal("abc", usd()),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            Money::parse_decimal("", usd()),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            Money::parse_decimal(".", usd()),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            Money::parse_decimal("1e400", usd()),
            Err(AmountError::OutOfRange)
        );
        assert_eq!(
            Money::from_f64(f64::NAN, usd()),
            Err(AmountError::NotANumber)
        );
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(
            Money::parse_decimal("1500", jpy).unwrap().minor_units(),
            1500
        );
        assert!(Money::parse_decimal("1500.5", jpy).is_err());
    }

    #[test]
    fn wire_round_trip() {
        let m: Money = serde_json::from_str(r#"{"amount": 1234.5, "currency": "USD"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"amount":1234.5,"currency":"USD"}"#
        );
        let m: Money = serde_json::from_str(r#"{"amount": "19.99", "currency": "EUR"}"#).unwrap();
        assert_eq!(m.to_string(), "19.99 EUR");
        let m: Money = serde_json::from_str(r#"{"amount": 7, "currency": "JPY"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"amount":7,"currency":"JPY"}"#
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount": 1, "currency": "XXQ"}"#).is_err());
        assert!(
            serde_json::from_str::<Money>(r#"{"amount": 1, "currency": "USD", "x": 1}"#).is_err()
        );
    }
}
