// talktoken puck: parametric enclosure for a 24-LED ring, EC11 knob, two buttons and a Pico.
// Render one part:  openscad -o body.stl -D 'part="body"' puck.scad
// Parts: "body" (top + wall, printed upside down), "lid" (base with Pico standoffs),
//        "diffuser" (only if you have no opal acrylic), "all" (exploded view).

part = "all";

/* [LED ring] */
ring_od = 66;         // Adafruit NeoPixel Ring 24: 66 mm outside
ring_id = 52.5;       //                              52.5 mm inside
ring_pcb_t = 1.6;
led_w = 5.0;          // 5050 LEDs
diffuser_t = 3;       // opal acrylic thickness (recess depth)
diffuser_clear = 0.3; // fit clearance of the diffuser in its recess

/* [Controls] */
knob_bushing_d = 7.4;  // EC11 M7 bushing
knob_d = 25;           // the knob itself (clearance ring around it)
button_hole_d = 12.6;  // 12 mm round cap
button_angle = 25;     // buttons at 270 +/- this angle (the facilitator's side, seat 0)
encoder_body = 13.5;   // square pocket under the top so the bushing reaches through
knob_plate_t = 2;      // plate thickness left at the encoder

/* [Body] */
rib_w = 2.4;           // ribs across the light window, between two LEDs
rib_count = 6;
wall = 2.4;
top_t = 4.5;          // thicker than the diffuser: ribs under it hold the centre
height = 30;
band = 19;             // rim outside the ring that carries the buttons
puck_d = ring_od + 2 * band;

/* [Lid and fasteners] */
lid_t = 3;
lid_clear = 0.3;
m3_insert_d = 4.2;     // M3 heat-set insert hole
m3_screw_d = 3.4;
m3_head_d = 6.2;
boss_d = 8;
boss_angles = [30, 150, 270];

/* [Pico] */
pico_w = 21;
pico_l = 51;
pico_hole_dx = 11.4;   // mounting holes: 11.4 x 47 mm, 2.1 mm (M2)
pico_hole_dy = 47;
standoff_h = 5;
standoff_d = 5;
m2_insert_d = 3.2;
usb_w = 12;            // opening for a micro-USB plug with its moulding
usb_h = 8;

$fn = 96;

inner_r = puck_d / 2 - wall;
boss_r = inner_r - boss_d / 2 + 1;
pico_y1 = inner_r - 1.5;          // USB end of the Pico, near the wall at +y
pico_y0 = pico_y1 - pico_l;
usb_z = lid_t + standoff_h + 1 + 1.6;  // centre of the connector above the table
button_r = (ring_od / 2 + puck_d / 2) / 2;

module annulus(r_out, r_in, h) {
    difference() {
        cylinder(r = r_out, h = h);
        translate([0, 0, -1]) cylinder(r = r_in, h = h + 2);
    }
}

module body() {
    difference() {
        union() {
            // wall and top plate
            difference() {
                cylinder(d = puck_d, h = height);
                translate([0, 0, -1]) cylinder(r = inner_r, h = height - top_t + 1);
            }
            // lid screw bosses, from the lid up to the top plate
            for (a = boss_angles)
                rotate([0, 0, a]) translate([boss_r, 0, lid_t])
                    cylinder(d = boss_d, h = height - top_t - lid_t + 0.01);
        }
        // light window above the LEDs, full depth of the top plate, crossed by ribs
        difference() {
            translate([0, 0, height - top_t - 1])
                annulus((ring_od + ring_id) / 4 + led_w / 2 + 0.8,
                        (ring_od + ring_id) / 4 - led_w / 2 - 0.8, top_t + 2);
            for (k = [0 : rib_count - 1])
                rotate([0, 0, 360 / 48 + k * 360 / rib_count])
                    translate([ring_id / 2 - 3, -rib_w / 2, height - top_t - 2])
                        cube([(ring_od - ring_id) / 2 + 6, rib_w, top_t - diffuser_t + 2]);
        }
        // diffuser recess from the top
        translate([0, 0, height - diffuser_t])
            annulus(ring_od / 2 + 1 + diffuser_clear, ring_id / 2 - 1 - diffuser_clear,
                    diffuser_t + 1);
        // encoder pocket from below, so the M7 bushing clears a thin plate
        translate([-encoder_body / 2, -encoder_body / 2, height - top_t - 1])
            cube([encoder_body, encoder_body, 1 + top_t - knob_plate_t]);
        // knob: bushing hole, and a shallow clearance ring for the knob skirt
        translate([0, 0, height - top_t - 1]) cylinder(d = knob_bushing_d, h = top_t + 2);
        translate([0, 0, height - 0.6]) cylinder(d = knob_d + 2, h = 1);
        // two buttons on the facilitator's side
        for (s = [-1, 1])
            rotate([0, 0, 270 + s * button_angle]) translate([button_r, 0, height - top_t - 1])
                cylinder(d = button_hole_d, h = top_t + 2);
        // USB opening in the wall, in line with the Pico's connector
        translate([-usb_w / 2, inner_r - 1, usb_z - usb_h / 2]) cube([usb_w, wall + 2, usb_h]);
        // insert holes in the bosses, from below
        for (a = boss_angles)
            rotate([0, 0, a]) translate([boss_r, 0, lid_t - 0.01])
                cylinder(d = m3_insert_d, h = 8);
    }
}

module lid() {
    difference() {
        union() {
            cylinder(r = inner_r - lid_clear, h = lid_t);
            // Pico standoffs
            for (x = [-pico_hole_dx / 2, pico_hole_dx / 2])
                for (y = [pico_y0 + 2, pico_y0 + 2 + pico_hole_dy])
                    translate([x, y, lid_t - 0.01]) cylinder(d = standoff_d, h = standoff_h);
        }
        // screws into the bosses, counterbored from below
        for (a = boss_angles)
            rotate([0, 0, a]) translate([boss_r, 0, 0]) {
                translate([0, 0, -1]) cylinder(d = m3_screw_d, h = lid_t + 2);
                translate([0, 0, -1]) cylinder(d = m3_head_d, h = 1 + lid_t / 2);
            }
        // M2 inserts in the standoffs
        for (x = [-pico_hole_dx / 2, pico_hole_dx / 2])
            for (y = [pico_y0 + 2, pico_y0 + 2 + pico_hole_dy])
                translate([x, y, lid_t]) cylinder(d = m2_insert_d, h = standoff_h + 1);
        // four shallow recesses for rubber feet
        for (a = [45, 135, 225, 315])
            rotate([0, 0, a]) translate([inner_r - 12, 0, -1]) cylinder(d = 10.5, h = 1.6);
    }
}

module diffuser() {
    annulus(ring_od / 2 + 1, ring_id / 2 - 1, diffuser_t);
}

if (part == "body") body();
else if (part == "lid") lid();
else if (part == "diffuser") diffuser();
else {
    body();
    translate([0, 0, -25]) lid();
    translate([0, 0, height + 15]) diffuser();
}
