//! E-mail addresses, parsed once at the edge.

use std::fmt;

/// A syntactically plausible e-mail address, trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` (one `@`, no spaces, a dot in the domain,
    /// at most 254 characters); anything else is refused with a message the
    /// caller can show.
    pub fn parse(input: &str) -> Result<Email, String> {
        let email = input.trim().to_lowercase();
        let invalid = || format!("`{}` is not a valid e-mail address", input.trim());
        if email.len() > 254 || email.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(email))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn addresses_are_normalised_or_refused() {
        assert_eq!(
            Email::parse("  Rep@Acme.Test ").map(|e| e.to_string()),
            Ok("rep@acme.test".to_owned())
        );
        for bad in [
            "",
            "rep",
            "rep@",
            "@acme.test",
            "rep@acme",
            "a b@acme.test",
            "rep@@acme.test",
            "rep@acme..test",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
