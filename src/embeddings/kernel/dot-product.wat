;; Dot products of one query against many rows, four lanes at a time (WebAssembly SIMD).
;; Rows are `stride` floats apart, `stride` a multiple of 4; the query occupies `stride` floats.
;; `dotCodes` scores a 16-bit query against listed rows of 8-bit codes (the approximate index).
;; Compiled to dot-product-wasm.ts by `npm run build:kernel`; a test keeps the two in step.
(module
  ;; Where `dotCodes` leaves the bytes it touched ahead of scoring, so that those reads are kept.
  (global $touched (export "touched") (mut i32) (i32.const 0))
  (memory (export "memory") 1 65536)
  (func (export "dotMany")
    (param $query i32) (param $rows i32) (param $count i32) (param $stride i32) (param $out i32)
    (local $row i32) (local $end i32) (local $offset i32) (local $bytes i32)
    (local $a v128) (local $b v128)
    (local.set $bytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $row (local.get $rows))
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (local.get $bytes))))
    (block $rows_done
      (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $row) (local.get $end)))
        (local.set $a (v128.const f32x4 0 0 0 0))
        (local.set $b (v128.const f32x4 0 0 0 0))
        (local.set $offset (i32.const 0))
        ;; two accumulators over 8 floats a turn
        (block $pairs_done
          (loop $each_pair
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $offset) (i32.const 32)) (local.get $bytes)))
            (local.set $a
              (f32x4.add (local.get $a)
                (f32x4.mul
                  (v128.load (i32.add (local.get $query) (local.get $offset)))
                  (v128.load (i32.add (local.get $row) (local.get $offset))))))
            (local.set $b
              (f32x4.add (local.get $b)
                (f32x4.mul
                  (v128.load offset=16 (i32.add (local.get $query) (local.get $offset)))
                  (v128.load offset=16 (i32.add (local.get $row) (local.get $offset))))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 32)))
            (br $each_pair)))
        ;; a last group of 4 when stride is not a multiple of 8
        (if (i32.lt_u (local.get $offset) (local.get $bytes))
          (then
            (local.set $a
              (f32x4.add (local.get $a)
                (f32x4.mul
                  (v128.load (i32.add (local.get $query) (local.get $offset)))
                  (v128.load (i32.add (local.get $row) (local.get $offset))))))))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
            (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (br $each_row))))
  ;; Integer dot products of a query of 16-bit codes against the rows named in a list of slots:
  ;; row `slot` starts at `codes + slot * stride` and holds `stride` 8-bit codes (`stride` a
  ;; multiple of 8); the query holds `stride` 16-bit codes; one 32-bit sum per listed slot.
  ;; Listed rows lie anywhere in a large memory, so each costs a wait on main memory. Rows go
  ;; four at a time: one byte of every 64-byte line of the four is read first, so that all of
  ;; their lines are on their way at once, then the four are scored side by side; the last
  ;; rows are touched the same way and scored one at a time.
  (func (export "dotCodes")
    (param $query i32) (param $codes i32) (param $slots i32) (param $count i32) (param $stride i32) (param $out i32)
    (local $end i32) (local $end4 i32) (local $row i32) (local $offset i32) (local $acc v128)
    (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $q v128)
    (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $line i32) (local $sum i32)
    (local.set $end (i32.add (local.get $slots) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $slots) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $fours_done
      (loop $each_four
        (br_if $fours_done (i32.ge_u (local.get $slots) (local.get $end4)))
        (local.set $row (i32.add (local.get $codes) (i32.mul (i32.load (local.get $slots)) (local.get $stride))))
        (local.set $r1 (i32.add (local.get $codes) (i32.mul (i32.load offset=4 (local.get $slots)) (local.get $stride))))
        (local.set $r2 (i32.add (local.get $codes) (i32.mul (i32.load offset=8 (local.get $slots)) (local.get $stride))))
        (local.set $r3 (i32.add (local.get $codes) (i32.mul (i32.load offset=12 (local.get $slots)) (local.get $stride))))
        (local.set $line (i32.const 0))
        (block $lines4_done
          (loop $each_line4
            (br_if $lines4_done (i32.ge_u (local.get $line) (local.get $stride)))
            (local.set $sum
              (i32.add (local.get $sum)
                (i32.add
                  (i32.add (i32.load8_u (i32.add (local.get $row) (local.get $line))) (i32.load8_u (i32.add (local.get $r1) (local.get $line))))
                  (i32.add (i32.load8_u (i32.add (local.get $r2) (local.get $line))) (i32.load8_u (i32.add (local.get $r3) (local.get $line)))))))
            (local.set $line (i32.add (local.get $line) (i32.const 64)))
            (br $each_line4)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $offset (i32.const 0))
        (block $codes4_done
          (loop $each_eight4
            (br_if $codes4_done (i32.ge_u (local.get $offset) (local.get $stride)))
            (local.set $q (v128.load (i32.add (local.get $query) (i32.shl (local.get $offset) (i32.const 1)))))
            (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $q) (v128.load8x8_s (i32.add (local.get $row) (local.get $offset))))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $q) (v128.load8x8_s (i32.add (local.get $r1) (local.get $offset))))))
            (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $q) (v128.load8x8_s (i32.add (local.get $r2) (local.get $offset))))))
            (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $q) (v128.load8x8_s (i32.add (local.get $r3) (local.get $offset))))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 8)))
            (br $each_eight4)))
        (i32.store (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (i32.store offset=4 (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $a1)) (i32x4.extract_lane 1 (local.get $a1)))
            (i32.add (i32x4.extract_lane 2 (local.get $a1)) (i32x4.extract_lane 3 (local.get $a1)))))
        (i32.store offset=8 (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $a2)) (i32x4.extract_lane 1 (local.get $a2)))
            (i32.add (i32x4.extract_lane 2 (local.get $a2)) (i32x4.extract_lane 3 (local.get $a2)))))
        (i32.store offset=12 (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $a3)) (i32x4.extract_lane 1 (local.get $a3)))
            (i32.add (i32x4.extract_lane 2 (local.get $a3)) (i32x4.extract_lane 3 (local.get $a3)))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $slots (i32.add (local.get $slots) (i32.const 16)))
        (br $each_four)))
    (local.set $r1 (local.get $slots))
    (block $tail_done
      (loop $each_tail
        (br_if $tail_done (i32.ge_u (local.get $r1) (local.get $end)))
        (local.set $row (i32.add (local.get $codes) (i32.mul (i32.load (local.get $r1)) (local.get $stride))))
        (local.set $line (i32.const 0))
        (block $lines_done
          (loop $each_line
            (br_if $lines_done (i32.ge_u (local.get $line) (local.get $stride)))
            (local.set $sum (i32.add (local.get $sum) (i32.load8_u (i32.add (local.get $row) (local.get $line)))))
            (local.set $line (i32.add (local.get $line) (i32.const 64)))
            (br $each_line)))
        (local.set $r1 (i32.add (local.get $r1) (i32.const 4)))
        (br $each_tail)))
    (global.set $touched (local.get $sum))
    (block $slots_done
      (loop $each_slot
        (br_if $slots_done (i32.ge_u (local.get $slots) (local.get $end)))
        (local.set $row (i32.add (local.get $codes) (i32.mul (i32.load (local.get $slots)) (local.get $stride))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $offset (i32.const 0))
        (block $codes_done
          (loop $each_eight
            (br_if $codes_done (i32.ge_u (local.get $offset) (local.get $stride)))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.dot_i16x8_s
                  (v128.load (i32.add (local.get $query) (i32.shl (local.get $offset) (i32.const 1))))
                  (v128.load8x8_s (i32.add (local.get $row) (local.get $offset))))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 8)))
            (br $each_eight)))
        (i32.store (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $slots (i32.add (local.get $slots) (i32.const 4)))
        (br $each_slot)))))
