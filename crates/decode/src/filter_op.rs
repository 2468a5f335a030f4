//! Vizzly's secure-filter operators, one enum for both sides: the main crate
//! checks and compiles filters with it, `decode` reads them out in words.

/// Every secure-filter operator Vizzly documents
/// (https://docs.vizzly.co/identity/properties/secure-filters) or its
/// dashboard offers (`config.supported_operator.*` in the vizzly-co examples).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    IsOneOf,
    IsNotOneOf,
    StartsWith,
    EndsWith,
    ContainsSubstring,
    DoesNotContainSubstring,
    ArrayContains,
}

impl FilterOp {
    pub const ALL: [FilterOp; 13] = [
        FilterOp::Eq,
        FilterOp::Ne,
        FilterOp::Gt,
        FilterOp::Lt,
        FilterOp::Ge,
        FilterOp::Le,
        FilterOp::IsOneOf,
        FilterOp::IsNotOneOf,
        FilterOp::StartsWith,
        FilterOp::EndsWith,
        FilterOp::ContainsSubstring,
        FilterOp::DoesNotContainSubstring,
        FilterOp::ArrayContains,
    ];

    /// The operator as a token writes it (`op`).
    pub fn as_str(self) -> &'static str {
        match self {
            FilterOp::Eq => "=",
            FilterOp::Ne => "!=",
            FilterOp::Gt => ">",
            FilterOp::Lt => "<",
            FilterOp::Ge => ">=",
            FilterOp::Le => "<=",
            FilterOp::IsOneOf => "is_one_of",
            FilterOp::IsNotOneOf => "is_not_one_of",
            FilterOp::StartsWith => "starts_with",
            FilterOp::EndsWith => "ends_with",
            FilterOp::ContainsSubstring => "contains_substring",
            FilterOp::DoesNotContainSubstring => "does_not_contain_substring",
            FilterOp::ArrayContains => "array_contains",
        }
    }

    pub fn parse(text: &str) -> Option<FilterOp> {
        FilterOp::ALL.into_iter().find(|op| op.as_str() == text)
    }

    /// The operator as `decode` reads it out to a person.
    pub fn in_words(self) -> &'static str {
        match self {
            FilterOp::Eq
            | FilterOp::Ne
            | FilterOp::Gt
            | FilterOp::Lt
            | FilterOp::Ge
            | FilterOp::Le => self.as_str(),
            FilterOp::IsOneOf => "is one of",
            FilterOp::IsNotOneOf => "is not one of",
            FilterOp::StartsWith => "starts with",
            FilterOp::EndsWith => "ends with",
            FilterOp::ContainsSubstring => "contains",
            FilterOp::DoesNotContainSubstring => "does not contain",
            FilterOp::ArrayContains => "has the element",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FilterOp;

    #[test]
    fn all_lists_every_operator_in_order_and_parse_reads_each_back() {
        for (position, op) in FilterOp::ALL.into_iter().enumerate() {
            // Exhaustive: a new operator does not compile until it is placed in ALL.
            let expected = match op {
                FilterOp::Eq => 0,
                FilterOp::Ne => 1,
                FilterOp::Gt => 2,
                FilterOp::Lt => 3,
                FilterOp::Ge => 4,
                FilterOp::Le => 5,
                FilterOp::IsOneOf => 6,
                FilterOp::IsNotOneOf => 7,
                FilterOp::StartsWith => 8,
                FilterOp::EndsWith => 9,
                FilterOp::ContainsSubstring => 10,
                FilterOp::DoesNotContainSubstring => 11,
                FilterOp::ArrayContains => 12,
            };
            assert_eq!(position, expected);
            assert_eq!(FilterOp::parse(op.as_str()), Some(op));
        }
        for unknown in ["contains", "IS_ONE_OF", "==", ""] {
            assert_eq!(FilterOp::parse(unknown), None);
        }
    }
}
