//! Electronic seals (GB/T 38540-2020, GM/T 0031-2014): reading, making and verifying them.

mod ses;
mod tlv;

pub use ses::{
    CertList, ExtData, Picture, Seal, SealSignatureError, SealSpec, SealType, SealVersion,
    SignatureForm, Stamp, VENDOR_ID, make_seal, make_stamp,
};
