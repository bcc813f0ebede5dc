// Writes the small tables the docs and tests use (run: npx tsx examples/make-data.ts). Seeded: the same files
// every time.
import { writeFileSync } from 'node:fs';
import { Generator } from '../src/index.js';

const g = new Generator(2026);
const here = new URL('./data/', import.meta.url);

// fruit.csv: three kinds of fruit from four measurements (classification, text labels)
const kinds = [
  { name: 'apple', weight: 170, diameter: 7.5, color: 0.8, sugar: 10.4 },
  { name: 'orange', weight: 200, diameter: 8.0, color: 0.5, sugar: 9.0 },
  { name: 'pear', weight: 180, diameter: 6.8, color: 0.6, sugar: 9.8 },
];
const fruit = ['weight_g,diameter_cm,color_score,sugar_pct,fruit'];
for (let i = 0; i < 360; i++) {
  const k = kinds[g.randint(3)];
  fruit.push([k.weight + 18 * g.normal(), k.diameter + 0.5 * g.normal(), k.color + 0.12 * g.normal(), k.sugar + 0.8 * g.normal()].map((v) => v.toFixed(2)).join(',') + `,${k.name}`);
}
writeFileSync(new URL('fruit.csv', here), fruit.join('\n') + '\n');

// houses.csv: a price from area, rooms, age and distance to the centre (regression)
const houses = ['area_m2,rooms,age_years,distance_km,price_k'];
for (let i = 0; i < 400; i++) {
  const area = 40 + 120 * g.random(), rooms = Math.max(1, Math.round(area / 30 + g.normal())), age = 60 * g.random(), distance = 25 * g.random();
  const price = 2.1 * area + 8 * rooms - 0.9 * age - 4 * distance + 0.02 * (area - 100) ** 2 + 12 * g.normal() + 150;
  houses.push([area.toFixed(1), rooms, age.toFixed(0), distance.toFixed(1), price.toFixed(1)].join(','));
}
writeFileSync(new URL('houses.csv', here), houses.join('\n') + '\n');
