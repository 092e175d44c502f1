// RUN: tfc-opt %s --split-input-file -p tfc-plan-memory | filecheck %s

// A buffer is live from its first to its last use. %c is born after %a's last
// use, so it reuses %a's bytes; %b overlaps both and gets the next 64-byte
// aligned slot. The report: arena size, most bytes live at once, and the sum
// of all intermediates.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %arena: memref<128xi8>) attributes {tfc.arena_size = 128 : i64, tfc.arena_peak_bytes = 116 : i64, tfc.naive_bytes = 180 : i64} {
// CHECK-NEXT:    %[[O0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %a = memref.view %arena[%[[O0]]][] : memref<128xi8> to memref<16xf32>
// CHECK-NEXT:    func.call @k0(%x, %a)
// CHECK-NEXT:    %[[O1:.*]] = arith.constant 64 : index
// CHECK-NEXT:    %b = memref.view %arena[%[[O1]]][] : memref<128xi8> to memref<13xf32>
// CHECK-NEXT:    func.call @k1(%a, %b)
// CHECK-NEXT:    %[[O2:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %c = memref.view %arena[%[[O2]]][] : memref<128xi8> to memref<16xf32>
// CHECK-NEXT:    func.call @k2(%b, %c)
// CHECK-NOT:     memref.alloc
func.func private @k0(memref<16xf32>, memref<16xf32>) attributes {tfc.kernel}
func.func private @k1(memref<16xf32>, memref<13xf32>) attributes {tfc.kernel}
func.func private @k2(memref<13xf32>, memref<16xf32>) attributes {tfc.kernel}
func.func @main(%x: memref<16xf32>, %out: memref<16xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  func.call @k0(%x, %a) : (memref<16xf32>, memref<16xf32>) -> ()
  %b = memref.alloc() {alignment = 64 : i64} : memref<13xf32>
  func.call @k1(%a, %b) : (memref<16xf32>, memref<13xf32>) -> ()
  %c = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  func.call @k2(%b, %c) : (memref<13xf32>, memref<16xf32>) -> ()
  func.call @k0(%c, %out) : (memref<16xf32>, memref<16xf32>) -> ()
  func.return
}

// -----

// Uses of a view are uses of the buffer it views: %a stays live until its
// reshape is read, so %c cannot take its place.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      tfc.arena_size = 192 : i64, tfc.arena_peak_bytes = 192 : i64, tfc.naive_bytes = 192 : i64
// CHECK:         %a = memref.view %arena[%{{.*}}][] : memref<192xi8> to memref<4x4xf32>
// CHECK:         %b = memref.view %arena[%{{.*}}][] : memref<192xi8> to memref<16xf32>
// CHECK:         %c = memref.view %arena[%{{.*}}][] : memref<192xi8> to memref<16xf32>
func.func private @k0(memref<16xf32>, memref<16xf32>) attributes {tfc.kernel}
func.func @main(%x: memref<16xf32>, %out: memref<16xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<4x4xf32>
  %af = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  func.call @k0(%x, %af) : (memref<16xf32>, memref<16xf32>) -> ()
  %b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  func.call @k0(%x, %b) : (memref<16xf32>, memref<16xf32>) -> ()
  %c = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  func.call @k0(%b, %c) : (memref<16xf32>, memref<16xf32>) -> ()
  func.call @k0(%af, %out) : (memref<16xf32>, memref<16xf32>) -> ()
  func.call @k0(%c, %out) : (memref<16xf32>, memref<16xf32>) -> ()
  func.return
}

// -----

// No intermediates: an empty arena.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64, tfc.arena_peak_bytes = 0 : i64, tfc.naive_bytes = 0 : i64}
func.func private @k0(memref<16xf32>, memref<16xf32>) attributes {tfc.kernel}
func.func @main(%x: memref<16xf32>, %out: memref<16xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  func.call @k0(%x, %out) : (memref<16xf32>, memref<16xf32>) -> ()
  func.return
}
