//! Certificate policies processing (RFC 5280 §6.1.2–§6.1.5): the valid policy tree.
//!
//! Run with the inputs OpenSSL and EU DSS use when nothing else is asked for:
//! user-initial-policy-set = {anyPolicy}, and initial-explicit-policy,
//! initial-policy-mapping-inhibit and initial-any-policy-inhibit all false. So policies
//! decide a path only when a CA in it asks them to, with `policyConstraints`
//! (requireExplicitPolicy, inhibitPolicyMapping), `inhibitAnyPolicy` or `policyMappings`;
//! the certificate policies the path supports are reported either way.
//!
//! As in RFC 5280, the trust anchor is not processed: its certificate, if any, is only a
//! carrier of the anchor's name and key.

use std::collections::{BTreeMap, BTreeSet};

use der::asn1::ObjectIdentifier;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{
    CertificatePolicies, InhibitAnyPolicy, PolicyConstraints, PolicyMappings,
};

/// anyPolicy (RFC 5280 §4.2.1.4).
pub(super) const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");

/// Why policy processing failed, and at which certificate (0 is the leaf).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    pub position: usize,
    pub detail: String,
    /// True when an extension could not be decoded (a format failure, not a constraint).
    pub malformed: bool,
}

#[derive(Debug, Clone)]
struct Node {
    policy: ObjectIdentifier,
    expected: BTreeSet<ObjectIdentifier>,
    /// Index of the parent in the level above (unused for the root).
    parent: usize,
    alive: bool,
}

impl Node {
    fn new(policy: ObjectIdentifier, parent: usize) -> Node {
        Node { policy, expected: BTreeSet::from([policy]), parent, alive: true }
    }
}

/// The valid policy tree, level by level; level 0 holds the anyPolicy root.
struct Tree {
    levels: Vec<Vec<Node>>,
}

impl Tree {
    fn new() -> Tree {
        Tree { levels: vec![vec![Node::new(ANY_POLICY, 0)]] }
    }

    fn alive(&self, depth: usize) -> impl Iterator<Item = (usize, &Node)> {
        self.levels[depth].iter().enumerate().filter(|(_, n)| n.alive)
    }

    /// The policy of node `idx` at `depth` in the trust anchor's domain: the valid_policy
    /// of its highest ancestor below anyPolicy nodes (RFC 5280 §6.1.5 (g): the
    /// valid_policy_node_set), so that a policy mapped on the way is named as the CAs
    /// above know it.
    fn authority_policy(&self, mut depth: usize, mut idx: usize) -> ObjectIdentifier {
        while depth > 1 {
            let parent = self.levels[depth][idx].parent;
            if self.levels[depth - 1][parent].policy == ANY_POLICY {
                break;
            }
            (depth, idx) = (depth - 1, parent);
        }
        self.levels[depth][idx].policy
    }

    /// Deletes, bottom-up, every node above the deepest level that has no living child;
    /// returns false when the root went too (the tree is NULL).
    fn prune(&mut self) -> bool {
        for depth in (0..self.levels.len() - 1).rev() {
            let (upper, lower) = self.levels.split_at_mut(depth + 1);
            for (idx, node) in upper[depth].iter_mut().enumerate() {
                if node.alive && !lower[0].iter().any(|c| c.alive && c.parent == idx) {
                    node.alive = false;
                }
            }
        }
        self.levels[0][0].alive
    }
}

fn extension<T>(cert: &Certificate, position: usize) -> Result<Option<T>, Failure>
where
    T: for<'a> der::Decode<'a> + const_oid::AssociatedOid,
{
    cert.tbs_certificate().get_extension::<T>().map(|e| e.map(|(_, v)| v)).map_err(|e| Failure {
        position,
        detail: format!("extension {} does not decode: {e}", crate::keys::oid_name(&T::OID)),
        malformed: true,
    })
}

fn self_issued(cert: &Certificate) -> bool {
    cert.tbs_certificate().issuer() == cert.tbs_certificate().subject()
}

/// A policy OID as reports show it (anyPolicy by name).
pub(super) fn policy_name(oid: &ObjectIdentifier) -> String {
    if *oid == ANY_POLICY { "anyPolicy".to_owned() } else { oid.to_string() }
}

/// Processes the policies of `path` (leaf first, trust anchor excluded). Returns the
/// policies the path is valid for, in the trust anchor's domain (empty when the tree is
/// NULL but no policy was required), or the failure.
pub(super) fn process(path: &[&Certificate]) -> Result<Vec<ObjectIdentifier>, Failure> {
    let n = path.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut tree = Some(Tree::new());
    let (mut explicit_policy, mut inhibit_any, mut policy_mapping) = (n + 1, n + 1, n + 1);
    let fail = |position: usize, detail: String| Failure { position, detail, malformed: false };

    for i in 1..=n {
        let position = n - i;
        let cert = path[position];
        // §6.1.3 (d), (e).
        match (extension::<CertificatePolicies>(cert, position)?, tree.as_mut()) {
            (Some(cp), Some(t)) => {
                let ids: Vec<ObjectIdentifier> = cp.0.iter().map(|p| p.policy_identifier).collect();
                if ids.len() != ids.iter().collect::<BTreeSet<_>>().len() {
                    return Err(Failure {
                        position,
                        detail: "certificatePolicies lists a policy twice".into(),
                        malformed: true,
                    });
                }
                let mut next = Vec::new();
                for p in ids.iter().filter(|p| **p != ANY_POLICY) {
                    let mut parents: Vec<usize> = t
                        .alive(i - 1)
                        .filter(|(_, n)| n.expected.contains(p))
                        .map(|x| x.0)
                        .collect();
                    if parents.is_empty() {
                        parents = t
                            .alive(i - 1)
                            .filter(|(_, n)| n.policy == ANY_POLICY)
                            .map(|x| x.0)
                            .collect();
                    }
                    next.extend(parents.into_iter().map(|parent| Node::new(*p, parent)));
                }
                if ids.contains(&ANY_POLICY) && (inhibit_any > 0 || (i < n && self_issued(cert))) {
                    for (idx, node) in t.alive(i - 1) {
                        for e in &node.expected {
                            if !next.iter().any(|c: &Node| c.parent == idx && c.policy == *e) {
                                next.push(Node::new(*e, idx));
                            }
                        }
                    }
                }
                t.levels.push(next);
                if !t.prune() {
                    tree = None;
                }
            }
            (Some(_), None) => {}
            (None, _) => tree = None,
        }
        // §6.1.3 (f).
        if explicit_policy == 0 && tree.is_none() {
            return Err(fail(
                position,
                "no acceptable certificate policy: a CA above requires an explicit policy \
                 (requireExplicitPolicy) and none of this certificate's policies is one it \
                 allows"
                    .into(),
            ));
        }
        if i == n {
            break;
        }
        // §6.1.4 (a), (b): policy mappings.
        if let Some(pm) = extension::<PolicyMappings>(cert, position)? {
            let mut map: BTreeMap<ObjectIdentifier, BTreeSet<ObjectIdentifier>> = BTreeMap::new();
            for m in &pm.0 {
                if m.issuer_domain_policy == ANY_POLICY || m.subject_domain_policy == ANY_POLICY {
                    return Err(fail(position, "policyMappings maps anyPolicy".into()));
                }
                map.entry(m.issuer_domain_policy).or_default().insert(m.subject_domain_policy);
            }
            if let Some(t) = tree.as_mut() {
                if policy_mapping > 0 {
                    for (idp, sdps) in &map {
                        let mut found = false;
                        for node in t.levels[i].iter_mut().filter(|n| n.alive && n.policy == *idp) {
                            node.expected.clone_from(sdps);
                            found = true;
                        }
                        let any_parent =
                            t.alive(i).find(|(_, n)| n.policy == ANY_POLICY).map(|(_, n)| n.parent);
                        if let (false, Some(parent)) = (found, any_parent) {
                            let mut node = Node::new(*idp, parent);
                            node.expected.clone_from(sdps);
                            t.levels[i].push(node);
                        }
                    }
                } else {
                    for node in t.levels[i].iter_mut().filter(|n| map.contains_key(&n.policy)) {
                        node.alive = false;
                    }
                    if !t.prune() {
                        tree = None;
                    }
                }
            }
        }
        // §6.1.4 (h), (i), (j).
        if !self_issued(cert) {
            explicit_policy = explicit_policy.saturating_sub(1);
            policy_mapping = policy_mapping.saturating_sub(1);
            inhibit_any = inhibit_any.saturating_sub(1);
        }
        if let Some(pc) = extension::<PolicyConstraints>(cert, position)? {
            if let Some(r) = pc.require_explicit_policy {
                explicit_policy = explicit_policy.min(r as usize);
            }
            if let Some(m) = pc.inhibit_policy_mapping {
                policy_mapping = policy_mapping.min(m as usize);
            }
        }
        if let Some(InhibitAnyPolicy(skip)) = extension::<InhibitAnyPolicy>(cert, position)? {
            inhibit_any = inhibit_any.min(skip as usize);
        }
    }
    // §6.1.5 (a), (b), (g): the user-initial-policy-set is anyPolicy, so the tree stays.
    explicit_policy = explicit_policy.saturating_sub(1);
    if extension::<PolicyConstraints>(path[0], 0)?.and_then(|pc| pc.require_explicit_policy)
        == Some(0)
    {
        explicit_policy = 0;
    }
    let policies: BTreeSet<ObjectIdentifier> = match &tree {
        Some(t) => t.alive(n).map(|(idx, _)| t.authority_policy(n, idx)).collect(),
        None => BTreeSet::new(),
    };
    if explicit_policy == 0 && policies.is_empty() {
        return Err(fail(
            0,
            "no acceptable certificate policy: the path requires an explicit policy and the \
             policy tree is empty"
                .into(),
        ));
    }
    Ok(policies.into_iter().collect())
}
