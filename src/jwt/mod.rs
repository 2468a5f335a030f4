//! Tokens: signing, verifying and decoding compact JWS/JWT, and the claims'
//! time values. Nothing here knows of grants or rate limits (`authz`).

pub mod decode;
pub mod sign;
pub mod time;
pub mod verify;
