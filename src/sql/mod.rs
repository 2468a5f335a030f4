//! SQL produced or checked by scopemint: bound parameters and dialects, Vizzly
//! secure filters, the gate for issuer-written filters; with the `server`
//! feature, the SQL parser's filter check and data-model rendering.

#[cfg(feature = "server")]
pub mod data_model;
#[cfg(feature = "server")]
pub mod expression;
pub mod issuer_filter;
pub mod params;
pub mod secure_filters;
