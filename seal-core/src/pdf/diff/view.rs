//! A document as one of its revisions shows it: the cross-reference sections up to that
//! revision, and nothing after.

use std::collections::{HashMap, HashSet};

use crate::Result;
use crate::pdf::file::{Entry, PdfFile, Section, Source};
use crate::pdf::object::{Dict, Object, Ref};

/// The objects of a document as of one revision.
pub(crate) struct View<'a, S: Source> {
    pub pdf: &'a PdfFile<S>,
    offsets: HashSet<u64>,
    trailer: Dict,
}

impl<'a, S: Source> View<'a, S> {
    /// The view through `sections` (newest first, as the chain lists them).
    pub fn new(pdf: &'a PdfFile<S>, sections: &[Section]) -> View<'a, S> {
        View {
            pdf,
            offsets: sections.iter().map(|s| s.offset).collect(),
            trailer: sections.first().map(|s| s.trailer.clone()).unwrap_or_default(),
        }
    }

    fn visible(&self) -> impl Fn(&Section) -> bool + '_ {
        |s: &Section| self.offsets.contains(&s.offset)
    }

    /// The trailer of the newest section in view.
    pub fn trailer(&self) -> &Dict {
        &self.trailer
    }

    /// The object as this revision defines it (`null` if it does not).
    pub fn get(&self, r: Ref) -> Result<Object> {
        self.pdf.get_in(r, self.visible())
    }

    /// Where this revision puts object `num`.
    pub fn entry(&self, num: u32) -> Option<Entry> {
        self.pdf.entry_in(num, self.visible()).map(|(e, _)| e)
    }

    /// True if this revision defines object `num` (and has not deleted it).
    pub fn defines(&self, num: u32) -> bool {
        matches!(self.pdf.entry_in(num, self.visible()), Some((e, _)) if e != Entry::Free)
    }

    /// The numbers of every object this revision defines.
    pub fn object_numbers(&self) -> Vec<u32> {
        let mut nums: Vec<u32> = self
            .pdf
            .sections
            .iter()
            .filter(|s| self.offsets.contains(&s.offset))
            .flat_map(|s| s.entries.keys().copied())
            .collect();
        nums.sort_unstable();
        nums.dedup();
        nums.retain(|&n| self.defines(n));
        nums
    }

    /// Who references whom: for each object number, the objects (and `0` for the
    /// trailer) that reference it. One scan of the whole revision, made only for the rare
    /// update that replaces an appearance.
    pub fn referrers(&self) -> Result<HashMap<u32, Vec<u32>>> {
        fn collect(o: &Object, out: &mut Vec<u32>) {
            match o {
                Object::Ref(r) => out.push(r.num),
                Object::Array(a) => a.iter().for_each(|x| collect(x, out)),
                Object::Dict(d) => d.0.iter().for_each(|(_, v)| collect(v, out)),
                Object::Stream(s) => s.dict.0.iter().for_each(|(_, v)| collect(v, out)),
                _ => {}
            }
        }
        let mut index: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut add = |from: u32, o: &Object| {
            let mut targets = Vec::new();
            collect(o, &mut targets);
            targets.dedup();
            for t in targets {
                index.entry(t).or_default().push(from);
            }
        };
        add(0, &Object::Dict(self.trailer.clone()));
        for num in self.object_numbers() {
            if let Ok(o) = self.get(Ref::new(num)) {
                add(num, &o);
            }
        }
        Ok(index)
    }

    /// Follows references.
    pub fn resolve(&self, obj: &Object) -> Result<Object> {
        let mut obj = obj.clone();
        for _ in 0..32 {
            match obj {
                Object::Ref(r) => obj = self.get(r)?,
                other => return Ok(other),
            }
        }
        Err(crate::Error::InvalidInput("a chain of references loops".into()))
    }

    /// The value of `key` in `dict`, resolved (`null` if absent).
    pub fn get_key(&self, dict: &Dict, key: &str) -> Result<Object> {
        dict.get(key).map_or(Ok(Object::Null), |o| self.resolve(o))
    }

    /// The value of `key` as an array (empty if absent or not an array).
    pub fn array(&self, dict: &Dict, key: &str) -> Result<Vec<Object>> {
        Ok(match self.get_key(dict, key)? {
            Object::Array(a) => a,
            _ => Vec::new(),
        })
    }

    /// The document catalog and its reference.
    pub fn catalog(&self) -> Result<Option<(Ref, Dict)>> {
        let Some(root) = self.trailer.get("Root").and_then(Object::as_ref) else {
            return Ok(None);
        };
        Ok(self.get(root)?.as_dict().cloned().map(|d| (root, d)))
    }
}
