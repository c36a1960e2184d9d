// A key no signature should be checked against: Ed25519's identity point, a point of small order,
// as a well-formed user nkey (checksum included). Under it the signature (R = identity, S = 0)
// passes the cofactorless check for every message.
export const SMALL_ORDER_NKEY = "UAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABVBG";
