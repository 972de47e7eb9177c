//! Where labels go so they never pile up: each label takes the first row where it touches no
//! other, the important ones first; a label that fits nowhere is left out (its glyph and hover
//! text stay). A label never runs out of the plot: near the right edge it ends at its mark.

/// A label to place: the x of what it names, how wide it is, how much it matters (0 first).
pub(super) struct Wanted {
    pub x: f64,
    pub width: f64,
    pub priority: u8,
}

/// Where a label went: its row (0 first) and its text's anchor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Placed {
    pub row: usize,
    /// The text's x: its start, or its end when `ends_here`.
    pub x: f64,
    pub ends_here: bool,
}

/// Space kept between a mark and its label, and between two labels.
const PAD: f64 = 3.0;
const GAP: f64 = 8.0;

pub(super) fn place(wanted: &[Wanted], rows: usize, left: f64, right: f64) -> Vec<Option<Placed>> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|a, b| {
        let (a, b) = (&wanted[*a], &wanted[*b]);
        a.priority.cmp(&b.priority).then(a.x.total_cmp(&b.x))
    });
    let mut taken: Vec<Vec<(f64, f64)>> = vec![Vec::new(); rows];
    let mut placed = vec![None; wanted.len()];
    for i in order {
        let w = &wanted[i];
        let starting = (w.x + PAD, w.x + PAD + w.width);
        let ending = (w.x - PAD - w.width, w.x - PAD);
        let choices = [(starting, false), (ending, true)];
        'rows: for (row, spans) in taken.iter_mut().enumerate() {
            for ((from, to), ends_here) in choices {
                let inside = from >= left && to <= right;
                let free = spans
                    .iter()
                    .all(|(a, b)| to + GAP <= *a || from >= *b + GAP);
                if inside && free {
                    spans.push((from, to));
                    placed[i] = Some(Placed {
                        row,
                        x: if ends_here { to } else { from },
                        ends_here,
                    });
                    break 'rows;
                }
            }
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f64, priority: u8) -> Wanted {
        Wanted {
            x,
            width: 50.0,
            priority,
        }
    }

    #[test]
    fn close_labels_take_the_next_row_then_drop() {
        let placed = place(&[at(100.0, 1), at(110.0, 1), at(120.0, 1)], 2, 0.0, 1000.0);
        assert_eq!(placed[0].map(|p| p.row), Some(0));
        // The second takes the next row; the third fits nowhere.
        assert_eq!(placed[1].map(|p| (p.row, p.ends_here)), Some((1, false)));
        assert_eq!(placed[2], None);
    }

    #[test]
    fn the_important_label_wins_and_none_leaves_the_plot() {
        let placed = place(&[at(100.0, 2), at(104.0, 0)], 1, 0.0, 1000.0);
        assert!(placed[0].is_some_and(|p| p.ends_here));
        assert!(placed[1].is_some_and(|p| !p.ends_here));
        let edge = place(&[at(990.0, 0)], 1, 0.0, 1000.0);
        assert_eq!(
            edge[0],
            Some(Placed {
                row: 0,
                x: 987.0,
                ends_here: true
            })
        );
    }
}
