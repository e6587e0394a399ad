//! Money: integer minor units plus an ISO-4217 currency code, exact on both
//! databases (DESIGN.md section 2).

use std::fmt;

/// An ISO-4217 currency code: three upper-case ASCII letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CurrencyCode([u8; 3]);

/// Active ISO-4217 currency codes.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD \
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL \
    HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD \
    MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR \
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND \
    VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

impl CurrencyCode {
    /// Parses `eur`/`EUR` into `EUR`; anything but a known ISO-4217 code is
    /// refused.
    pub fn parse(input: &str) -> Result<CurrencyCode, String> {
        let bytes = input.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => {
                let code = CurrencyCode([
                    a.to_ascii_uppercase(),
                    b.to_ascii_uppercase(),
                    c.to_ascii_uppercase(),
                ]);
                if ISO_4217
                    .split_whitespace()
                    .any(|known| known == code.as_str())
                {
                    Ok(code)
                } else {
                    Err(format!("`{input}` is not an ISO-4217 currency code"))
                }
            }
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

impl Money {
    /// Parses a decimal amount (`"1234.50"`) in `currency` into minor units;
    /// more decimals than the currency has, signs and exponents are refused.
    pub fn parse_decimal(amount: &str, currency: CurrencyCode) -> Result<Money, String> {
        let amount = amount.trim();
        let invalid = || format!("`{amount}` is not an amount in {currency}");
        let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
        let digits = currency.minor_digits() as usize;
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(invalid());
        }
        if fraction.len() > digits {
            return Err(format!("{currency} has {digits} decimal places"));
        }
        let scale = 10i64.pow(digits as u32);
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let fraction: i64 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<digits$}")
                .parse()
                .map_err(|_| invalid())?
        };
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(fraction))
            .ok_or_else(invalid)?;
        Ok(Money { minor, currency })
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
        assert!(CurrencyCode::parse("XYZ").is_err());
    }

    #[test]
    fn decimal_amounts_parse_exactly() {
        let eur = CurrencyCode::parse("EUR").expect("valid");
        assert_eq!(
            Money::parse_decimal("1234.5", eur).map(|m| m.minor),
            Ok(123_450)
        );
        assert_eq!(Money::parse_decimal("0.05", eur).map(|m| m.minor), Ok(5));
        assert!(Money::parse_decimal("-1", eur).is_err());
        assert!(Money::parse_decimal("1.234", eur).is_err());
        assert!(Money::parse_decimal("1e3", eur).is_err());
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
