//! The pedigree drawn as a family tree (issue #14, "Pedigree"): each family an SVG, side by
//! side, in the usual notation — generations in rows, squares for males, circles for females,
//! diamonds for unknown sex, affected filled, unknown phenotype marked `?`, individuals the file
//! has no sample for hatched, a marriage line between parents and a sibship line over their
//! children, the proband marked with an arrow, every individual labelled with its id.
//!
//! [`layout`] is a pure function from a [`Pedigree`] to positions ([`FamilyLayout`]):
//! generations from the parent links (a founder who married in joins their spouse's row), and
//! in each row an order that keeps lines from crossing where a simple rule can — spouses side
//! by side, children in the order of their parents' mean position (the barycentre heuristic).
//! [`PedigreeDrawing`] draws it. Missing parents are simply not drawn: a child with one known
//! parent hangs from that parent alone, a child with none is a founder of its row.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::*;
use wasm_core::pedigree::{Pedigree, Phenotype, Sex};

/// Horizontal distance between neighbours, and between rows, in SVG units.
const SLOT: f64 = 84.0;
const ROW: f64 = 118.0;
/// Side of a square (and diameter of a circle).
const SIZE: f64 = 32.0;
/// Room above the first row (family name) and at the sides.
const TOP: f64 = 34.0;
const MARGIN: f64 = 30.0;

/// One individual's place: its generation (row, 0 at the top) and its x in slots.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Index into [`Pedigree::individuals`].
    pub individual: usize,
    pub generation: u32,
    pub x: f64,
}

/// Parents and the children they have together (either parent may be missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sibship {
    pub father: Option<usize>,
    pub mother: Option<usize>,
    pub children: Vec<usize>,
}

/// One family laid out: every member placed, and the sibships to connect.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyLayout {
    /// Index into [`Pedigree::families`].
    pub family: usize,
    pub placed: Vec<Placed>,
    pub sibships: Vec<Sibship>,
    /// Rows, and the widest row's extent in slots (x runs from 0 to `width − 1`).
    pub generations: u32,
    pub width: f64,
}

impl FamilyLayout {
    /// Where individual `i` is.
    pub fn place(&self, i: usize) -> Option<&Placed> {
        self.placed.iter().find(|p| p.individual == i)
    }
}

/// Lays out every family of `pedigree`.
pub fn layout(pedigree: &Pedigree) -> Vec<FamilyLayout> {
    (0..pedigree.families().len())
        .map(|f| layout_family(pedigree, f))
        .collect()
}

fn parents(pedigree: &Pedigree, i: usize) -> [Option<usize>; 2] {
    let person = &pedigree.individuals()[i];
    [person.father, person.mother]
}

/// Generations: founders 0, a child one below its lower parent, and a founder who has
/// children with someone moved down to that partner's row; repeated until nothing moves (the
/// PED reader has refused cycles, and the number of passes is bounded anyway).
fn generations(pedigree: &Pedigree, members: &[usize]) -> HashMap<usize, u32> {
    let mut generation: HashMap<usize, u32> = members.iter().map(|&m| (m, 0)).collect();
    for _ in 0..=members.len() {
        let mut moved = false;
        for &m in members {
            let below = parents(pedigree, m)
                .into_iter()
                .flatten()
                .filter_map(|p| generation.get(&p).map(|g| g + 1))
                .max();
            if let Some(g) = below
                && generation[&m] < g
            {
                generation.insert(m, g);
                moved = true;
            }
        }
        // Founders join their partner's row.
        for &m in members {
            let [father, mother] = parents(pedigree, m);
            if let (Some(f), Some(o)) = (father, mother) {
                for (me, partner) in [(f, o), (o, f)] {
                    let founder = parents(pedigree, me).iter().all(Option::is_none);
                    let (Some(&gm), Some(&gp)) = (generation.get(&me), generation.get(&partner))
                    else {
                        continue;
                    };
                    if founder && gm < gp {
                        generation.insert(me, gp);
                        moved = true;
                    }
                }
            }
        }
        if !moved {
            break;
        }
    }
    generation
}

fn layout_family(pedigree: &Pedigree, family: usize) -> FamilyLayout {
    let members = &pedigree.families()[family].members;
    let generation = generations(pedigree, members);
    let rows = members
        .iter()
        .map(|m| generation[m])
        .max()
        .map_or(0, |g| g + 1);
    // Partners: who has children with whom, in file order.
    let mut sibships: Vec<Sibship> = Vec::new();
    for &m in members {
        let [father, mother] = parents(pedigree, m);
        if father.is_none() && mother.is_none() {
            continue;
        }
        match sibships
            .iter_mut()
            .find(|s| s.father == father && s.mother == mother)
        {
            Some(s) => s.children.push(m),
            None => sibships.push(Sibship {
                father,
                mother,
                children: vec![m],
            }),
        }
    }
    let partners = |m: usize| -> Vec<usize> {
        sibships
            .iter()
            .filter_map(|s| match (s.father, s.mother) {
                (Some(f), Some(o)) if f == m => Some(o),
                (Some(f), Some(o)) if o == m => Some(f),
                _ => None,
            })
            .collect()
    };
    let mut x: HashMap<usize, f64> = HashMap::new();
    for row in 0..rows {
        let in_row: Vec<usize> = members
            .iter()
            .copied()
            .filter(|m| generation[m] == row)
            .collect();
        // Who is placed for their own sake (has parents drawn, or is a founder of the top
        // row), and their wished-for x: the mean of their parents' positions.
        let wishes: HashMap<usize, Option<f64>> = in_row
            .iter()
            .map(|&m| {
                let xs: Vec<f64> = parents(pedigree, m)
                    .into_iter()
                    .flatten()
                    .filter_map(|p| x.get(&p).copied())
                    .collect();
                (
                    m,
                    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64),
                )
            })
            .collect();
        let wish = |m: usize| wishes.get(&m).copied().flatten();
        let mut anchored: Vec<(f64, usize, usize)> = Vec::new();
        let mut married_in: Vec<usize> = Vec::new();
        for (k, &m) in in_row.iter().enumerate() {
            match wish(m) {
                Some(w) => anchored.push((w, k, m)),
                None => {
                    let partner_here = partners(m)
                        .iter()
                        .any(|p| in_row.contains(p) && wish(*p).is_some());
                    if partner_here {
                        married_in.push(m);
                    } else {
                        // A founder: its file order is its place.
                        anchored.push((f64::from(u32::MAX) + k as f64, k, m));
                    }
                }
            }
        }
        if row == 0 {
            // The top row in file order, then partners pulled beside each other below.
            anchored.sort_by_key(|&(_, k, _)| k);
        } else {
            anchored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        // The order: each anchored member, then the partners who married in beside them; in
        // the top row a founder's partner also comes right after them.
        let mut order: Vec<usize> = Vec::new();
        for &(_, _, m) in &anchored {
            if order.contains(&m) {
                continue;
            }
            order.push(m);
            for p in partners(m) {
                let beside = married_in.contains(&p)
                    || (row == 0 && in_row.contains(&p) && wish(p).is_none());
                if beside && !order.contains(&p) {
                    order.push(p);
                }
            }
        }
        for &m in &married_in {
            if !order.contains(&m) {
                order.push(m);
            }
        }
        // Positions: as wished (children under their parents, partners beside), at least a
        // slot apart, left to right.
        let mut last: Option<f64> = None;
        for &m in &order {
            let wished = match wish(m) {
                Some(w) => {
                    // A sibship is centred under its parents.
                    let sibs = sibship_of(&sibships, m).map_or(1, |s| s.children.len());
                    let rank = sibship_of(&sibships, m)
                        .and_then(|s| s.children.iter().position(|&c| c == m))
                        .unwrap_or(0);
                    w - (sibs as f64 - 1.0) / 2.0 + rank as f64
                }
                None => last.map_or(0.0, |l| l + 1.0),
            };
            let at = match last {
                Some(l) => wished.max(l + 1.0),
                None => wished,
            };
            x.insert(m, at);
            last = Some(at);
        }
    }
    let min = x.values().copied().fold(f64::INFINITY, f64::min);
    let min = if min.is_finite() { min } else { 0.0 };
    let mut placed: Vec<Placed> = members
        .iter()
        .map(|&m| Placed {
            individual: m,
            generation: generation[&m],
            x: x.get(&m).copied().unwrap_or(0.0) - min,
        })
        .collect();
    placed.sort_by(|a, b| a.generation.cmp(&b.generation).then(a.x.total_cmp(&b.x)));
    let width = placed.iter().map(|p| p.x).fold(0.0, f64::max) + 1.0;
    FamilyLayout {
        family,
        placed,
        sibships,
        generations: rows,
        width,
    }
}

fn sibship_of(sibships: &[Sibship], child: usize) -> Option<&Sibship> {
    sibships.iter().find(|s| s.children.contains(&child))
}

/// Pairs of line segments that cross between two rows of `layout`: the sibship lines' drops
/// from parents to children, a measure of how tangled the drawing is.
pub fn crossings(layout: &FamilyLayout) -> usize {
    // Each sibship as the interval from its parents' mean to its children's extent, per row.
    let mut spans: Vec<(u32, f64, f64)> = Vec::new();
    for s in &layout.sibships {
        let xs: Vec<f64> = [s.father, s.mother]
            .into_iter()
            .flatten()
            .filter_map(|p| layout.place(p).map(|p| p.x))
            .collect();
        let Some(first) = s.children.first().and_then(|&c| layout.place(c)) else {
            continue;
        };
        if xs.is_empty() {
            continue;
        }
        let top = xs.iter().sum::<f64>() / xs.len() as f64;
        for &c in &s.children {
            if let Some(p) = layout.place(c) {
                spans.push((first.generation, top, p.x));
            }
        }
    }
    let mut n = 0;
    for (k, a) in spans.iter().enumerate() {
        for b in &spans[k + 1..] {
            if a.0 == b.0 && (a.1 - b.1) * (a.2 - b.2) < 0.0 {
                n += 1;
            }
        }
    }
    n
}

/// Every drawing's own pattern ids (several drawings may share the page).
static DRAWINGS: AtomicU32 = AtomicU32::new(0);

/// Each family of `pedigree` drawn side by side. `sequenced`: the file's samples; an
/// individual not among them is drawn hatched (not sequenced).
#[component]
pub fn PedigreeDrawing(pedigree: Pedigree, sequenced: Vec<String>) -> impl IntoView {
    let hatch = format!(
        "pedigree-hatch-{}",
        DRAWINGS.fetch_add(1, Ordering::Relaxed)
    );
    let families = layout(&pedigree)
        .into_iter()
        .map(|l| family_view(&pedigree, &l, &sequenced, &hatch))
        .collect_view();
    view! {
        <div class="pedigree-drawing" data-testid="pedigree-drawing">
            <div class="pedigree-families">{families}</div>
            <p class="muted small pedigree-legend">
                "□ male · ○ female · ◇ unknown sex · filled: affected · ?: phenotype unknown · "
                "hatched: not sequenced · ↗ proband"
            </p>
        </div>
    }
}

fn family_view(
    pedigree: &Pedigree,
    l: &FamilyLayout,
    sequenced: &[String],
    hatch: &str,
) -> impl IntoView + use<> {
    let family = &pedigree.families()[l.family];
    let width = l.width.max(1.0) * SLOT + 2.0 * MARGIN;
    // The last row needs room for its symbols, labels and the proband's arrow only.
    let height = TOP + f64::from(l.generations.max(1) - 1) * ROW + SIZE + 44.0;
    let cx = |x: f64| MARGIN + x * SLOT + SLOT / 2.0;
    let cy = |g: u32| TOP + f64::from(g) * ROW + SIZE / 2.0 + 6.0;
    let proband = pedigree
        .proband(l.family)
        .filter(|&p| pedigree.individuals()[p].phenotype == Phenotype::Affected);

    // Lines first, symbols over them.
    let mut lines = Vec::new();
    for s in &l.sibships {
        let parents: Vec<&Placed> = [s.father, s.mother]
            .into_iter()
            .flatten()
            .filter_map(|p| l.place(p))
            .collect();
        let children: Vec<&Placed> = s.children.iter().filter_map(|&c| l.place(c)).collect();
        let (Some(first_parent), false) = (parents.first(), children.is_empty()) else {
            continue;
        };
        let py = cy(first_parent.generation);
        let top_x = if let [a, b] = parents[..] {
            let (x1, x2) = (cx(a.x.min(b.x)), cx(a.x.max(b.x)));
            lines.push(
                view! {
                    <line class="marriage-line" data-testid="marriage-line"
                        x1=format!("{:.1}", x1 + SIZE / 2.0) y1=format!("{py:.1}")
                        x2=format!("{:.1}", x2 - SIZE / 2.0) y2=format!("{py:.1}")
                        stroke="currentColor" stroke-width="1.5"></line>
                }
                .into_any(),
            );
            (x1 + x2) / 2.0
        } else {
            cx(first_parent.x)
        };
        let child_gen = children.iter().map(|c| c.generation).min().unwrap_or(0);
        let bar_y = cy(child_gen) - SIZE / 2.0 - 22.0;
        let from_y = if parents.len() == 2 {
            py
        } else {
            py + SIZE / 2.0
        };
        let xs: Vec<f64> = children.iter().map(|c| cx(c.x)).collect();
        let left = xs.iter().copied().fold(top_x, f64::min);
        let right = xs.iter().copied().fold(top_x, f64::max);
        let mut d =
            format!("M{top_x:.1},{from_y:.1} V{bar_y:.1} M{left:.1},{bar_y:.1} H{right:.1}");
        for c in &children {
            d.push_str(&format!(
                " M{:.1},{bar_y:.1} V{:.1}",
                cx(c.x),
                cy(c.generation) - SIZE / 2.0
            ));
        }
        let ids: Vec<&str> = s
            .children
            .iter()
            .map(|&c| pedigree.individuals()[c].id.as_str())
            .collect();
        lines.push(
            view! {
                <path class="sibship-line" data-testid="sibship-line" data-children=ids.join(",")
                    d=d fill="none" stroke="currentColor" stroke-width="1.5"></path>
            }
            .into_any(),
        );
    }

    let symbols = l
        .placed
        .iter()
        .map(|p| {
            let person = &pedigree.individuals()[p.individual];
            let (x, y) = (cx(p.x), cy(p.generation));
            let is_sequenced = sequenced.contains(&person.id);
            let fill = match person.phenotype {
                Phenotype::Affected => "currentColor",
                _ => "var(--bg, #fff)",
            };
            let shape = |fill: String, class: &'static str| match person.sex {
                Sex::Male => view! {
                    <rect class=class x=format!("{:.1}", x - SIZE / 2.0) y=format!("{:.1}", y - SIZE / 2.0)
                        width=SIZE.to_string() height=SIZE.to_string() fill=fill
                        stroke="currentColor" stroke-width="1.5"></rect>
                }
                .into_any(),
                Sex::Female => view! {
                    <circle class=class cx=format!("{x:.1}") cy=format!("{y:.1}") r=(SIZE / 2.0).to_string()
                        fill=fill stroke="currentColor" stroke-width="1.5"></circle>
                }
                .into_any(),
                Sex::Unknown => {
                    let r = SIZE / 2.0 + 3.0;
                    view! {
                        <polygon class=class
                            points=format!("{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}", y - r, x + r, y + r, x - r)
                            fill=fill stroke="currentColor" stroke-width="1.5"></polygon>
                    }
                    .into_any()
                }
            };
            let body = shape(fill.to_string(), "pedigree-symbol");
            let hatched = (!is_sequenced).then(|| shape(format!("url(#{hatch})"), "pedigree-hatch"));
            let unknown = (person.phenotype == Phenotype::Unknown).then(|| {
                view! {
                    <text class="pedigree-unknown" x=format!("{x:.1}") y=format!("{:.1}", y + 5.0)
                        text-anchor="middle" font-size="16" fill="currentColor">"?"</text>
                }
            });
            let is_proband = proband == Some(p.individual);
            let arrow = is_proband.then(|| {
                let (ax, ay) = (x - SIZE / 2.0 - 4.0, y + SIZE / 2.0 + 4.0);
                view! {
                    <path class="pedigree-proband" data-testid="proband-arrow"
                        d=format!("M{:.1},{:.1} L{ax:.1},{ay:.1} M{ax:.1},{ay:.1} l-1,-8 M{ax:.1},{ay:.1} l-8,1", ax - 16.0, ay + 16.0)
                        stroke="currentColor" stroke-width="2" fill="none"></path>
                }
            });
            let status = if is_sequenced { "sequenced" } else { "not sequenced" };
            let title = format!(
                "{}: {}, {}, {status}{}",
                person.id,
                person.sex.name(),
                person.phenotype.name(),
                if is_proband { ", proband" } else { "" }
            );
            view! {
                <g class="pedigree-individual" data-testid="pedigree-individual"
                    data-id=person.id.clone() data-sex=person.sex.name()
                    data-phenotype=person.phenotype.name()
                    data-sequenced=is_sequenced.to_string()
                    data-generation=p.generation.to_string()
                    data-x=format!("{}", p.x)
                    data-proband=is_proband.to_string()>
                    <title>{title}</title>
                    {body}
                    {hatched}
                    {unknown}
                    {arrow}
                    <text class="pedigree-label" x=format!("{x:.1}") y=format!("{:.1}", y + SIZE / 2.0 + 16.0)
                        text-anchor="middle" font-size="12" fill="currentColor">{person.id.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let label = format!("Pedigree of family {}", family.id);
    view! {
        <svg class="pedigree-family" data-testid="pedigree-family" data-family=family.id.clone()
            role="img" aria-label=label viewBox=format!("0 0 {width:.0} {height:.0}")
            width=format!("{width:.0}") height=format!("{height:.0}")>
            <defs>
                <pattern id=hatch.to_string() width="6" height="6" patternUnits="userSpaceOnUse"
                    patternTransform="rotate(45)">
                    <line x1="0" y1="0" x2="0" y2="6" stroke="currentColor" stroke-width="2"></line>
                </pattern>
            </defs>
            <text class="pedigree-family-name" x=MARGIN.to_string() y="18" font-size="13"
                fill="currentColor">{format!("Family {}", family.id)}</text>
            {lines}
            {symbols}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn ped(text: &str) -> Pedigree {
        Pedigree::parse(text.as_bytes()).unwrap()
    }

    fn at(p: &Pedigree, l: &FamilyLayout, id: &str) -> (u32, f64) {
        let place = l.place(p.find(id).unwrap()).unwrap();
        (place.generation, place.x)
    }

    #[wasm_bindgen_test]
    fn a_trio_has_parents_above_the_child_between_them() {
        let p = ped("f kid dad mom 1 2\nf dad 0 0 1 1\nf mom 0 0 2 1\n");
        let l = &layout(&p)[0];
        assert_eq!(l.generations, 2);
        let (dad, mom, kid) = (at(&p, l, "dad"), at(&p, l, "mom"), at(&p, l, "kid"));
        assert_eq!((dad.0, mom.0, kid.0), (0, 0, 1));
        assert_eq!((mom.1 - dad.1).abs(), 1.0, "partners side by side");
        assert_eq!(kid.1, (dad.1 + mom.1) / 2.0, "the child under its parents");
        assert_eq!(l.sibships.len(), 1);
    }

    #[wasm_bindgen_test]
    fn three_generations_with_a_spouse_who_married_in_and_a_missing_parent() {
        // gpa × gma → mom; mom × dad (married in, a founder) → kid, sib; half: mother only.
        let p = ped(
            "f gpa 0 0 1 1\nf gma 0 0 2 1\nf mom gpa gma 2 1\nf dad 0 0 1 1\n\
                     f kid dad mom 1 2\nf sib dad mom 2 1\nf half 0 mom 1 0\n",
        );
        let l = &layout(&p)[0];
        assert_eq!(l.generations, 3);
        assert_eq!(at(&p, l, "dad").0, 1, "a founder joins their partner's row");
        assert_eq!(at(&p, l, "mom").0, 1);
        assert_eq!((at(&p, l, "kid").0, at(&p, l, "half").0), (2, 2));
        assert_eq!((at(&p, l, "mom").1 - at(&p, l, "dad").1).abs(), 1.0);
        // No two members share a place.
        for a in &l.placed {
            for b in &l.placed {
                if a.individual != b.individual && a.generation == b.generation {
                    assert!((a.x - b.x).abs() >= 1.0, "{a:?} {b:?}");
                }
            }
        }
        // The half sibling hangs from the mother alone.
        assert!(l.sibships.iter().any(|s| s.father.is_none()
            && s.mother == p.find("mom")
            && s.children == vec![p.find("half").unwrap()]));
        assert_eq!(crossings(l), 0);
    }

    #[wasm_bindgen_test]
    fn children_follow_their_parents_order_so_lines_do_not_cross() {
        // Two couples in the top row listed a, b, c, d; their children listed the other way
        // round: the barycentre order puts each child under its own parents.
        let p = ped(
            "f kid_cd c d 1 1\nf kid_ab a b 2 1\nf a 0 0 1 1\nf b 0 0 2 1\nf c 0 0 1 1\nf d 0 0 2 1\n",
        );
        let l = &layout(&p)[0];
        assert!(at(&p, l, "kid_ab").1 < at(&p, l, "kid_cd").1);
        assert_eq!(crossings(l), 0);
        // Several families are laid out separately.
        let p = ped("f1 k d m 1 2\nf1 d 0 0 1 1\nf1 m 0 0 2 1\nf2 solo 0 0 0 0\n");
        let ls = layout(&p);
        assert_eq!(ls.len(), 2);
        assert_eq!((ls[1].generations, ls[1].width), (1, 1.0));
    }
}
