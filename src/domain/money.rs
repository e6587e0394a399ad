//! Money: integer minor units plus an ISO-4217 currency code, exact on both
//! databases (DESIGN.md section 2).

use std::fmt;

/// An ISO-4217 currency code: three upper-case ASCII letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    /// Parses `eur`/`EUR` into `EUR`; anything but three letters is refused.
    pub fn parse(input: &str) -> Result<CurrencyCode, String> {
        let bytes = input.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(CurrencyCode([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(format!("`{input}` is not an ISO-4217 currency code")),
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("BUG: a CurrencyCode is ASCII")
    }

    /// Digits after the decimal point (ISO-4217 minor units); 2 unless listed.
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" => 0,
            "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in minor units of a currency (cents for EUR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    /// Minor units.
    pub minor: i64,
    /// The currency.
    pub currency: CurrencyCode,
}

impl Money {
    /// The amount as a decimal string (`12345` EUR cents → `123.45`), the form
    /// the API shows so clients never meet floating point.
    pub fn decimal_string(&self) -> String {
        let digits = self.currency.minor_digits();
        if digits == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(digits);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale = scale.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(
            CurrencyCode::parse("eur").map(|c| c.to_string()),
            Ok("EUR".to_owned())
        );
        assert!(CurrencyCode::parse("EU").is_err());
        assert!(CurrencyCode::parse("E1R").is_err());
        assert!(CurrencyCode::parse("EURO").is_err());
    }

    #[test]
    fn money_prints_exact_decimals() {
        let eur = CurrencyCode::parse("EUR").expect("valid");
        let jpy = CurrencyCode::parse("JPY").expect("valid");
        assert_eq!(
            Money {
                minor: 12345,
                currency: eur
            }
            .decimal_string(),
            "123.45"
        );
        assert_eq!(
            Money {
                minor: -5,
                currency: eur
            }
            .decimal_string(),
            "-0.05"
        );
        assert_eq!(
            Money {
                minor: 500,
                currency: jpy
            }
            .decimal_string(),
            "500"
        );
    }
}
