// RUN: tfc-opt %s --split-input-file -p tfc-plan-memory | filecheck %s
// RUN: tfc-opt %s --split-input-file -p 'tfc-plan-memory{in-place=false}' | filecheck %s --check-prefix=OFF

// In place: an elementwise kernel writes its output over an input that dies at
// the call, when it reads that input only at the element it writes. Here %b
// takes %a's slot: one 1024-byte slot instead of two, and @k1 carries
// tfc.inplace = [[input, output]] (those arguments must not be restrict). @k2
// writes the caller's buffer, never an arena slot. The peak counts a shared
// slot once; naive is one buffer each.

// CHECK-LABEL: func.func private @k0(
// CHECK-NOT:       tfc.inplace
// CHECK-SAME:      {
// CHECK-LABEL: func.func private @k1(
// CHECK-SAME:      tfc.inplace = {{\[}}[0 : i64, 1 : i64]]
// CHECK-LABEL: func.func private @k2(
// CHECK-NOT:       tfc.inplace
// CHECK-SAME:      {
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %arena: memref<1024xi8>) attributes {tfc.arena_size = 1024 : i64, tfc.arena_peak_bytes = 1024 : i64, tfc.naive_bytes = 2048 : i64} {
// CHECK:         %[[O0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %a = memref.view %arena[%[[O0]]][] : memref<1024xi8> to memref<16x16xf32>
// CHECK-NEXT:    func.call @k0(%x, %a)
// CHECK-NEXT:    %[[O1:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %b = memref.view %arena[%[[O1]]][] : memref<1024xi8> to memref<16x16xf32>
// CHECK-NEXT:    func.call @k1(%a, %b)
// CHECK-NEXT:    func.call @k2(%b, %out)
// OFF-LABEL: func.func @main(
// OFF-SAME:      tfc.arena_size = 2048 : i64, tfc.arena_peak_bytes = 2048 : i64, tfc.naive_bytes = 2048 : i64
// OFF-NOT:   tfc.inplace
func.func private @k0(%x: memref<16x16xf32>, %out: memref<16x16xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %e = math.exp %v : f32
    linalg.yield %e : f32
  }
  func.return
}
func.func private @k1(%in: memref<16x16xf32>, %out: memref<16x16xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%in : memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.mulf %v, %v : f32
    linalg.yield %m : f32
  }
  func.return
}
func.func private @k2(%in: memref<16x16xf32>, %out: memref<16x16xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%in : memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.negf %v : f32
    linalg.yield %m : f32
  }
  func.return
}
func.func @main(%x: memref<16x16xf32>, %out: memref<16x16xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  func.call @k0(%x, %a) : (memref<16x16xf32>, memref<16x16xf32>) -> ()
  %b = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  func.call @k1(%a, %b) : (memref<16x16xf32>, memref<16x16xf32>) -> ()
  func.call @k2(%b, %out) : (memref<16x16xf32>, memref<16x16xf32>) -> ()
  func.return
}

// -----

// Never in place: @k1 reads %a transposed (element (j, i) while writing (i, j));
// @k2 reads %b twice, once transposed, through two arguments bound to the same
// buffer; @k3 is a reduction. Each output gets a slot of its own.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      tfc.arena_size = 2048 : i64, tfc.arena_peak_bytes = 2048 : i64, tfc.naive_bytes = 3136 : i64
// CHECK-NOT:     tfc.inplace
// CHECK:         %[[A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %a = memref.view %arena[%[[A]]][]
// CHECK:         %[[B:.*]] = arith.constant 1024 : index
// CHECK-NEXT:    %b = memref.view %arena[%[[B]]][]
// CHECK:         %[[C:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %c = memref.view %arena[%[[C]]][]
// CHECK:         %[[R:.*]] = arith.constant 1024 : index
// CHECK-NEXT:    %r = memref.view %arena[%[[R]]][]
func.func private @k0(%x: memref<16x16xf32>, %out: memref<16x16xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %e = math.exp %v : f32
    linalg.yield %e : f32
  }
  func.return
}
func.func private @k1(%in: memref<16x16xf32>, %out: memref<16x16xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%in : memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  func.return
}
func.func private @k2(%in: memref<16x16xf32>, %in_t: memref<16x16xf32>, %out: memref<16x16xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%in, %in_t : memref<16x16xf32>, memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %s = arith.subf %v, %w : f32
    linalg.yield %s : f32
  }
  func.return
}
func.func private @k3(%in: memref<16x16xf32>, %acc: memref<16xf32>) attributes {tfc.kernel, tfc.kernel_kind = "reduction"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%in : memref<16x16xf32>) outs(%acc : memref<16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %o, %v : f32
    linalg.yield %s : f32
  }
  func.return
}
func.func @main(%x: memref<16x16xf32>, %out: memref<16xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  func.call @k0(%x, %a) : (memref<16x16xf32>, memref<16x16xf32>) -> ()
  %b = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  func.call @k1(%a, %b) : (memref<16x16xf32>, memref<16x16xf32>) -> ()
  %c = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  func.call @k2(%b, %b, %c) : (memref<16x16xf32>, memref<16x16xf32>, memref<16x16xf32>) -> ()
  %r = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  func.call @k3(%c, %r) : (memref<16x16xf32>, memref<16xf32>) -> ()
  func.call @k3(%c, %out) : (memref<16x16xf32>, memref<16xf32>) -> ()
  func.return
}

// -----

// Through a reshape: %a viewed as 256 elements dies at @k1, whose output (256
// elements, the same bytes) takes its slot. An input still read later (%x2 by
// @k2 after @k1) is never written over.

// CHECK-LABEL: func.func private @k1(
// CHECK-SAME:      tfc.inplace = {{\[}}[0 : i64, 2 : i64]]
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      tfc.arena_size = 2048 : i64
// CHECK:         %[[A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %a = memref.view %arena[%[[A]]][]
// CHECK:         %[[B:.*]] = arith.constant 1024 : index
// CHECK-NEXT:    %b = memref.view %arena[%[[B]]][]
// CHECK:         %[[C:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %c = memref.view %arena[%[[C]]][]
func.func private @k0(%x: memref<16x16xf32>, %out: memref<16x16xf32>, %out2: memref<256xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %e = math.exp %v : f32
    linalg.yield %e : f32
  }
  func.return
}
func.func private @k1(%in: memref<256xf32>, %in2: memref<256xf32>, %out: memref<256xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%in, %in2 : memref<256xf32>, memref<256xf32>) outs(%out : memref<256xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %m = arith.mulf %v, %w : f32
    linalg.yield %m : f32
  }
  func.return
}
func.func private @k2(%in: memref<256xf32>, %in2: memref<256xf32>, %out: memref<256xf32>) attributes {tfc.kernel, tfc.kernel_kind = "reduction"} {
  func.return
}
func.func @main(%x: memref<16x16xf32>, %out: memref<256xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  func.call @k0(%x, %a, %b) : (memref<16x16xf32>, memref<16x16xf32>, memref<256xf32>) -> ()
  %af = memref.collapse_shape %a [[0, 1]] : memref<16x16xf32> into memref<256xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  func.call @k1(%af, %b, %c) : (memref<256xf32>, memref<256xf32>, memref<256xf32>) -> ()
  func.call @k2(%c, %b, %out) : (memref<256xf32>, memref<256xf32>, memref<256xf32>) -> ()
  func.return
}
